<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AddStoreDialog</name>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="38" />
        <source>Add a store</source>
        <translation>添加商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="41" />
        <source>A store is trusted by its fingerprint. Get it from the store's publisher, paste it below, and imapp checks that the store you reach is that one.</source>
        <translation>商店依据其指纹获得信任。请向商店发布者索取指纹并粘贴到下方，imapp 会核对您连接到的正是这家商店。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="48" />
        <source>64 hexadecimal characters (recommended)</source>
        <translation>64 位十六进制字符（建议填写）</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="49" />
        <source>Check store</source>
        <translation>检查商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="52" />
        <source>Store URL</source>
        <translation>商店地址</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="53" />
        <source>Fingerprint from the publisher</source>
        <translation>发布者提供的指纹</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="60" />
        <source>I compared this fingerprint with the one the publisher gave me</source>
        <translation>我已将此指纹与发布者提供的指纹核对一致</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="65" />
        <source>Trust and add</source>
        <translation>信任并添加</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="112" />
        <source>A fingerprint is 64 characters from 0-9 and a-f; check what you pasted.</source>
        <translation>指纹由 64 个 0-9 和 a-f 字符组成，请检查您粘贴的内容。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="121" />
        <source>Contacting the store…</source>
        <translation>正在连接商店…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="133" />
        <source>This store's fingerprint does not match the one you entered. It is not the store you expect (or someone is impersonating it), so it will not be added.</source>
        <translation>该商店的指纹与您输入的不一致。这不是您要找的商店（或有人在冒充它），因此不会添加。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="140" />
        <source>✓ The fingerprint matches. You can add this store.</source>
        <translation>✓ 指纹一致，可以添加此商店。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="142" />
        <source>This is the store's fingerprint. Compare it with the one its publisher gave you before you trust it.</source>
        <translation>这是该商店的指纹。信任之前，请与发布者提供的指纹进行核对。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/addstore.py" line="152" />
        <source>Checking the store's signatures and downloading its catalogue…</source>
        <translation>正在验证商店签名并下载应用目录…</translation>
    </message>
</context>
<context>
    <name>AppPage</name>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="90" />
        <source>‹ Back</source>
        <translation>‹ 返回</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="117" />
        <source>Share</source>
        <translation>分享</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="119" />
        <source>Copy a link to this app</source>
        <translation>复制此应用的链接</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="143" />
        <source>Show larger</source>
        <translation>查看大图</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="169" />
        <source>What’s new</source>
        <translation>新功能</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="171" />
        <source>Version %1 · %2</source>
        <translation>版本 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="178" />
        <source>Permissions</source>
        <translation>权限</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="187" />
        <source>This app asks for no special permissions.</source>
        <translation>此应用不需要任何特殊权限。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="189" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="204" />
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="204" />
        <source>Web link</source>
        <translation>网页链接</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="205" />
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="206" />
        <source>Updated</source>
        <translation>更新日期</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="207" />
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="208" />
        <source>License</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="229" />
        <source>Developer</source>
        <translation>开发者</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="230" />
        <source>Store</source>
        <translation>商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="231" />
        <source>Verification</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="234" />
        <source>Website</source>
        <translation>网站</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="236" />
        <source>Opens</source>
        <translation>打开地址</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="248" />
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="251" />
        <source>✓ Signed by the store and verified %1</source>
        <translation>✓ 已由商店签名并验证（%1）</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="252" />
        <source>⚠ The store could not be checked just now; this is what was verified %1</source>
        <translation>⚠ 暂时无法检查商店；当前显示的是上次验证（%1）的内容</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="275" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/apppage.py" line="298" />
        <source>Link copied</source>
        <translation>链接已复制</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../appstore/ui/widgets.py" line="92" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/widgets.py" line="94" />
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>DiscoverPage</name>
    <message>
        <location filename="../../appstore/ui/discover.py" line="133" />
        <source>Discover</source>
        <translation>发现</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/discover.py" line="137" />
        <source>Search apps in all stores</source>
        <translation>在所有商店中搜索应用</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/discover.py" line="184" />
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/discover.py" line="236" />
        <source>Loading the catalogue…</source>
        <translation>正在加载应用目录…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/discover.py" line="238" />
        <source>No apps match “%1”. Try fewer or other words.</source>
        <translation>没有与“%1”匹配的应用。请尝试更少或不同的关键词。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/discover.py" line="240" />
        <source>No apps here yet. Add a store in Settings.</source>
        <translation>这里还没有应用。请在“设置”中添加商店。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../appstore/ui/discover.py" line="241" />
        <source>%n app(s)</source>
        <translation><numerusform>%n 个应用</numerusform></translation>
    </message>
</context>
<context>
    <name>FeaturedBanner</name>
    <message>
        <location filename="../../appstore/ui/featured.py" line="57" />
        <source>Featured</source>
        <translation>精选</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/featured.py" line="69" />
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/featured.py" line="82" />
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/featured.py" line="82" />
        <source>Next</source>
        <translation>下一个</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="105" />
        <source>Discover</source>
        <translation>发现</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="105" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="226" />
        <source>“%1” is not an imapp link. Links look like imapp://app/STORE/ID.</source>
        <translation>“%1”不是 imapp 链接。链接格式为 imapp://app/商店/应用ID。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="247" />
        <source>Refreshing stores…</source>
        <translation>正在刷新商店…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="253" />
        <source>All stores up to date</source>
        <translation>所有商店均已是最新</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/mainwindow.py" line="257" />
        <source>Offline or failing: showing the catalogue verified %1</source>
        <translation>离线或出错：正在显示上次验证（%1）的目录</translation>
    </message>
</context>
<context>
    <name>ScreenshotViewer</name>
    <message>
        <location filename="../../appstore/ui/screenshots.py" line="25" />
        <source>Screenshots of %1</source>
        <translation>%1 的截图</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/screenshots.py" line="31" />
        <source>‹ Previous</source>
        <translation>‹ 上一张</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/screenshots.py" line="32" />
        <source>Next ›</source>
        <translation>下一张 ›</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/screenshots.py" line="33" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/screenshots.py" line="61" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../appstore/ui/settings.py" line="47" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="52" />
        <source>Stores</source>
        <translation>商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="55" />
        <source>Refresh all</source>
        <translation>全部刷新</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="57" />
        <source>Add store…</source>
        <translation>添加商店…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="67" />
        <source>Language and appearance</source>
        <translation>语言与外观</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="78" />
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="78" />
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="79" />
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="83" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="84" />
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="87" />
        <source>Your data</source>
        <translation>您的数据</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="92" />
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="98" />
        <source>Everything imapp keeps — stores, catalogues, settings — is in this folder. Start imapp with --data-dir to use another one.</source>
        <translation>imapp 保存的所有内容（商店、目录、设置）都在此文件夹中。使用 --data-dir 启动 imapp 可改用其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="124" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="129" />
        <source>No stores. Add one to see apps.</source>
        <translation>没有商店。添加一个商店即可浏览应用。</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="143" />
        <source>Built-in demo store</source>
        <translation>内置演示商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="149" />
        <source>Fingerprint: %1…</source>
        <translation>指纹：%1…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="155" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="158" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="166" />
        <source>Refreshing…</source>
        <translation>正在刷新…</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="168" />
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="171" />
        <source>✓ Verified %1 · %2 apps</source>
        <translation>✓ 已验证（%1）· %2 个应用</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="173" />
        <source>⚠ %1 — using the catalogue verified %2</source>
        <translation>⚠ %1 —— 正在使用上次验证（%2）的目录</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="183" />
        <source>Remove store</source>
        <translation>移除商店</translation>
    </message>
    <message>
        <location filename="../../appstore/ui/settings.py" line="184" />
        <source>Remove the store “%1”? Its apps disappear from Discover.</source>
        <translation>要移除商店“%1”吗？它的应用将从“发现”中消失。</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="30" />
        <source>%n byte(s)</source>
        <translation><numerusform>%n 字节</numerusform></translation>
    </message>
</context>
</TS>