<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AccountCard</name>
    <message>
        <location filename="../../ui/walletaccount.py" line="71" />
        <location filename="../../ui/walletaccount.py" line="145" />
        <source>Your BCD address</source>
        <translation>您的 BCD 地址</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="82" />
        <source>Copy address</source>
        <translation>复制地址</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="83" />
        <source>Create a wallet protected by a passphrase…</source>
        <translation>创建由密码保护的钱包…</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="85" />
        <source>Restore from words…</source>
        <translation>用助记词恢复…</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="86" />
        <source>Unlock…</source>
        <translation>解锁…</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="87" />
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="91" />
        <source>A BCD address looks exactly like a Bitcoin (BTC) address: check that whoever sends to it, or receives from it, means BCD.</source>
        <translation>BCD 地址与比特币（BTC）地址看起来完全一样：请确认向它付款或从它收款的一方指的是 BCD。</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="101" />
        <source>Change passphrase…</source>
        <translation>更改密码…</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="154" />
        <source>Not confirmed yet: %1. Copy reads the key first.</source>
        <translation>尚未确认：%1。复制前会先读取密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="157" />
        <source>Kept in this computer's keyring.</source>
        <translation>保存在这台电脑的密钥环中。</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="158" />
        <source>Kept in a file protected by your passphrase.</source>
        <translation>保存在由您的密码保护的文件中。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/walletaccount.py" line="164" />
        <source>%n copy(ies) set aside by restores…</source>
        <translation><numerusform>恢复时留存的 %n 份副本…</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="169" />
        <source>Set up your wallet</source>
        <translation>设置您的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="173" />
        <source>No system keyring can keep a wallet on this computer (%1). Your wallet can be kept in a file protected by a passphrase you choose, made new or restored from your seed words.</source>
        <translation>这台电脑上没有可保存钱包的系统密钥环（%1）。您的钱包可以保存在由您自选密码保护的文件中：新建一个，或用助记词恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="182" />
        <source>none is installed or running</source>
        <translation>未安装或未运行</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="184" />
        <source>the keyring is switched off</source>
        <translation>密钥环已关闭</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="186" />
        <source>the keyring set up here keeps secrets in a plain file</source>
        <translation>此处设置的密钥环把机密存放在普通文件中</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="193" />
        <source>The address recorded beside the wallet is not the one in the wallet file. Unlock the wallet to confirm which it is: no address is shown until then.</source>
        <translation>钱包旁记录的地址与钱包文件中的地址不一致。请解锁钱包以确认是哪一个：在此之前不显示任何地址。</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="196" />
        <source>the system keyring cannot be read now, so this address (recorded beside the wallet) is not confirmed against the wallet's key</source>
        <translation>现在无法读取系统密钥环，因此这个地址（记录在钱包旁）尚未用钱包的密钥确认</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="203" />
        <source>The address could not be confirmed</source>
        <translation>无法确认地址</translation>
    </message>
    <message>
        <location filename="../../ui/walletaccount.py" line="211" />
        <source>The wallet could not be read</source>
        <translation>无法读取钱包</translation>
    </message>
</context>
<context>
    <name>AddStoreDialog</name>
    <message>
        <location filename="../../ui/addstore.py" line="44" />
        <source>Add a store</source>
        <translation>添加商店</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="47" />
        <source>A store is trusted by its fingerprint. Get it from the store's publisher, paste it below, and imapp checks that the store you reach is that one.</source>
        <translation>商店依据其指纹获得信任。请向商店发布者索取指纹并粘贴到下方，imapp 会核对您连接到的正是这家商店。</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="54" />
        <source>64 hexadecimal characters (recommended)</source>
        <translation>64 位十六进制字符（建议填写）</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="55" />
        <source>Check store</source>
        <translation>检查商店</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="58" />
        <source>Store URL</source>
        <translation>商店地址</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="59" />
        <source>Fingerprint from the publisher</source>
        <translation>发布者提供的指纹</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="68" />
        <source>I compared this fingerprint with the one the publisher gave me</source>
        <translation>我已将此指纹与发布者提供的指纹核对一致</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="73" />
        <source>Trust and add</source>
        <translation>信任并添加</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="128" />
        <source>A fingerprint is 64 characters from 0-9 and a-f; check what you pasted.</source>
        <translation>指纹由 64 个 0-9 和 a-f 字符组成，请检查您粘贴的内容。</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="137" />
        <source>Contacting the store…</source>
        <translation>正在连接商店…</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="149" />
        <source>This store's fingerprint does not match the one you entered. It is not the store you expect (or someone is impersonating it), so it will not be added.</source>
        <translation>该商店的指纹与您输入的不一致。这不是您要找的商店（或有人在冒充它），因此不会添加。</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="156" />
        <source>✓ The fingerprint matches. You can add this store.</source>
        <translation>✓ 指纹一致，可以添加此商店。</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="158" />
        <source>This is the store's fingerprint. Compare it with the one its publisher gave you before you trust it.</source>
        <translation>这是该商店的指纹。信任之前，请与发布者提供的指纹进行核对。</translation>
    </message>
    <message>
        <location filename="../../ui/addstore.py" line="169" />
        <source>Checking the store's signatures and downloading its catalogue…</source>
        <translation>正在验证商店签名并下载应用目录…</translation>
    </message>
</context>
<context>
    <name>AppActions</name>
    <message>
        <location filename="../../ui/appactions.py" line="70" />
        <source>Uninstall</source>
        <translation>卸载</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="105" />
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="107" />
        <source>%1 to download</source>
        <translation>需下载 %1</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="109" />
        <source>Open website</source>
        <translation>打开网站</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="110" />
        <source>A web link: nothing to install</source>
        <translation>网页链接：无需安装</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="114" />
        <location filename="../../ui/appactions.py" line="119" />
        <location filename="../../ui/appactions.py" line="124" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="115" />
        <source>Waiting to download…</source>
        <translation>等待下载…</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="117" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="122" />
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="126" />
        <source>Paused · %1</source>
        <translation>已暂停 · %1</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="129" />
        <source>Checking the download against the store’s signature…</source>
        <translation>正在按商店签名校验下载内容…</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="132" />
        <source>Installing…</source>
        <translation>正在安装…</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="134" />
        <location filename="../../ui/appactions.py" line="144" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="136" />
        <source>Version %1 installed · %2 on disk</source>
        <translation>已安装版本 %1 · 占用 %2</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="139" />
        <source>its store was removed: no more updates</source>
        <translation>其商店已移除：不再有更新</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="142" />
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="142" />
        <source>Review and update</source>
        <translation>查看并更新</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="146" />
        <source>Version %1 installed · %2 available</source>
        <translation>已安装版本 %1 · 可更新到 %2</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="150" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="152" />
        <source>The download failed.</source>
        <translation>下载失败。</translation>
    </message>
</context>
<context>
    <name>AppListModel</name>
    <message>
        <location filename="../../ui/models.py" line="202" />
        <source>Review</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="205" />
        <source>Paused %1</source>
        <translation>已暂停 %1</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="207" />
        <source>Install</source>
        <translation>安装</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="208" />
        <source>Visit</source>
        <translation>访问</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="209" />
        <location filename="../../ui/models.py" line="210" />
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="211" />
        <source>Verifying</source>
        <translation>校验中</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="212" />
        <source>Installing</source>
        <translation>安装中</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="213" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="214" />
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="215" />
        <source>Failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>AppPage</name>
    <message>
        <location filename="../../ui/apppage.py" line="113" />
        <source>‹ Back</source>
        <translation>‹ 返回</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="156" />
        <source>Share</source>
        <translation>分享</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="157" />
        <source>Copy a link to this app</source>
        <translation>复制此应用的链接</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="183" />
        <source>Show larger</source>
        <translation>查看大图</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="223" />
        <source>What’s new</source>
        <translation>新功能</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="225" />
        <source>Version %1 · %2</source>
        <translation>版本 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="232" />
        <source>Permissions</source>
        <translation>权限</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="241" />
        <source>This app asks for no special permissions.</source>
        <translation>此应用不需要任何特殊权限。</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="125" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="257" />
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="257" />
        <source>Web link</source>
        <translation>网页链接</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="258" />
        <source>Download size</source>
        <translation>下载大小</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="259" />
        <source>Updated</source>
        <translation>更新日期</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="260" />
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="261" />
        <source>License</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="282" />
        <source>Developer</source>
        <translation>开发者</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="283" />
        <source>Store</source>
        <translation>商店</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="284" />
        <source>Verification</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="287" />
        <source>Website</source>
        <translation>网站</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="289" />
        <source>Opens</source>
        <translation>打开地址</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="301" />
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="304" />
        <source>✓ Signed by the store and verified %1</source>
        <translation>✓ 已由商店签名并验证（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="305" />
        <source>⚠ The store could not be checked just now; this is what was verified %1</source>
        <translation>⚠ 暂时无法检查商店；当前显示的是上次验证（%1）的内容</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="328" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../ui/apppage.py" line="352" />
        <source>Link copied</source>
        <translation>链接已复制</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <location filename="../../ui/walletdialogs.py" line="28" />
        <source>Show your seed words?</source>
        <translation>显示您的助记词？</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="29" />
        <source>Your seed words are the only backup of this wallet.</source>
        <translation>助记词是此钱包唯一的备份。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="34" />
        <source>Show the words</source>
        <translation>显示助记词</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="46" />
        <source>Back up your wallet</source>
        <translation>备份您的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="73" />
        <source>Anyone who sees these words can take everything in this wallet. Write them down on paper, in order, and keep them somewhere safe and offline. Never type them into a website or give them to anyone, including imapp's support.</source>
        <translation>任何看到这些单词的人都能拿走此钱包中的全部资产。请按顺序抄写在纸上，离线保存在安全的地方。切勿将它们输入任何网站，也不要交给任何人，包括 imapp 的客服。</translation>
    </message>
</context>
<context>
    <name>BalanceChart</name>
    <message>
        <location filename="../../ui/walletchart.py" line="54" />
        <source>The balance over time appears here once the wallet has receipts.</source>
        <translation>钱包有收据后，这里会显示余额的变化。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../ui/widgets.py" line="133" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../ui/widgets.py" line="135" />
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <location filename="../../ui/host/confirm.py" line="93" />
        <source>from %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="116" />
        <source>Connect to your wallet</source>
        <translation>连接到您的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="117" />
        <source>Let %1 see your wallet address?</source>
        <translation>允许 %1 查看您的钱包地址吗？</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="120" />
        <source>Once connected, it may:</source>
        <translation>连接后，它可以：</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="122" />
        <source>It cannot sign or spend anything without asking you each time. You can disconnect it in Settings.</source>
        <translation>每次签名或花费之前，它都必须先征得您的同意。您可以在“设置”中断开它。</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="126" />
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="131" />
        <source>Sign a message</source>
        <translation>签署消息</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="132" />
        <source>%1 asks you to sign this message:</source>
        <translation>%1 请您签署这条消息：</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="140" />
        <source>Your signature proves that %1 agreed to this text. It is made for this DApp only: it cannot move IA, and the IA service refuses it as a request.</source>
        <translation>您的签名证明 %1 同意这段文字。它只对这个 DApp 有效：不能转移 IA，IA 服务也不会把它当作请求接受。</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="145" />
        <source>Sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="150" />
        <source>Confirm payment</source>
        <translation>确认付款</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="151" />
        <source>Pay %1 IA to %2?</source>
        <translation>向 %2 支付 %1 IA？</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="153" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="154" />
        <source>To</source>
        <translation>收款方</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="155" />
        <source>Memo</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="156" />
        <source>From</source>
        <translation>付款方</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="157" />
        <source>Balance after</source>
        <translation>付款后余额</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="159" />
        <source>The account is the one %1's store lists for it; the DApp cannot change it. A payment cannot be undone.</source>
        <translation>收款账户是 %1 所在商店为它登记的账户，DApp 无法更改。付款后无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/host/confirm.py" line="163" />
        <source>Pay %1 IA</source>
        <translation>支付 %1 IA</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <location filename="../../ui/consent.py" line="47" />
        <source>Review the update</source>
        <translation>查看更新</translation>
    </message>
    <message>
        <location filename="../../ui/consent.py" line="51" />
        <source>Version %1 of “%2” asks for more than the version you have. If you accept, it may also:</source>
        <translation>“%2”的 %1 版比您现有的版本需要更多权限。如果您接受，它还可以：</translation>
    </message>
    <message>
        <location filename="../../ui/consent.py" line="63" />
        <source>Until you accept, version %1 stays installed and works as before.</source>
        <translation>在您接受之前，%1 版仍然安装着，照常使用。</translation>
    </message>
    <message>
        <location filename="../../ui/consent.py" line="69" />
        <source>Accept and update</source>
        <translation>接受并更新</translation>
    </message>
</context>
<context>
    <name>ConsentTexts</name>
    <message>
        <location filename="../../ui/consent.py" line="27" />
        <source>Update (asks for more: %1)</source>
        <translation>更新（需要更多权限：%1）</translation>
    </message>
    <message>
        <location filename="../../ui/consent.py" line="32" />
        <source>Update asks for more</source>
        <translation>更新需要更多权限</translation>
    </message>
</context>
<context>
    <name>CopiesDialog</name>
    <message>
        <location filename="../../ui/walletcopies.py" line="35" />
        <source>Copies set aside by restores</source>
        <translation>恢复时留存的副本</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="39" />
        <source>Each restore keeps what it replaced. A wallet file holds, encrypted, the words of the wallet it names: remove it only if you have those words, or never want that wallet again. A ledger holds that account's receipts and is kept.</source>
        <translation>每次恢复都会保留被替换的内容。钱包文件以加密形式保存其所属钱包的助记词：只有在您持有这些助记词，或再也不需要那个钱包时才删除它。账本保存该账户的收据，会一直保留。</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="55" />
        <source>Open the folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="56" />
        <source>Remove the checked files…</source>
        <translation>删除勾选的文件…</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="69" />
        <source>In %1</source>
        <translation>位于 %1</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="70" />
        <source>No copies are set aside.</source>
        <translation>没有留存的副本。</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="75" />
        <source>address unknown</source>
        <translation>地址未知</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="77" />
        <source>Wallet file of %1, set aside %2</source>
        <translation>%1 的钱包文件，留存于 %2</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="80" />
        <source>Ledger of %1: its receipts (kept)</source>
        <translation>%1 的账本：其收据（保留）</translation>
    </message>
    <message>
        <location filename="../../ui/walletcopies.py" line="111" />
        <source>Remove these wallet files?</source>
        <translation>删除这些钱包文件吗？</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/walletcopies.py" line="112" />
        <source>%n wallet file(s) will be deleted. Each holds the words of the wallet it names: without the file or those words, that wallet cannot be restored.</source>
        <translation><numerusform>将删除 %n 个钱包文件。每个文件都保存着其所属钱包的助记词：没有该文件或这些助记词，那个钱包将无法恢复。</numerusform></translation>
    </message>
</context>
<context>
    <name>DAppHost</name>
    <message>
        <location filename="../../ui/host/hosts.py" line="414" />
        <source>DApps stopped unexpectedly: %1. Open them again to go on.</source>
        <translation>DApp 意外停止：%1。请重新打开它们以继续。</translation>
    </message>
</context>
<context>
    <name>DAppWindow</name>
    <message>
        <location filename="../../ui/host/window.py" line="186" />
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="193" />
        <source>Back</source>
        <translation>后退</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="195" />
        <source>Forward</source>
        <translation>前进</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="197" />
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="266" />
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="269" />
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="271" />
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="210" />
        <source>App page</source>
        <translation>应用页面</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="211" />
        <source>Its page in the store</source>
        <translation>它在商店中的页面</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="214" />
        <source>Developer tools</source>
        <translation>开发者工具</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="215" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="329" />
        <source>%1 cannot be reached</source>
        <translation>无法连接 %1</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="330" />
        <source>You may be offline, or its website may be down.</source>
        <translation>您可能处于离线状态，或者它的网站暂时无法访问。</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="332" />
        <source>%1 could not be loaded</source>
        <translation>无法加载 %1</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="333" />
        <source>If this keeps happening, reinstall it from its app page.</source>
        <translation>如果问题持续出现，请在它的应用页面重新安装。</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="342" />
        <source>%1 stopped unexpectedly</source>
        <translation>%1 意外停止</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="343" />
        <source>Retry to start it again.</source>
        <translation>点击“重试”重新启动它。</translation>
    </message>
    <message>
        <location filename="../../ui/host/window.py" line="389" />
        <source>Developer tools: %1</source>
        <translation>开发者工具：%1</translation>
    </message>
</context>
<context>
    <name>DesktopSettings</name>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="23" />
        <source>On the desktop</source>
        <translation>桌面</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="24" />
        <source>Start hidden in the tray</source>
        <translation>启动时隐藏到系统托盘</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="27" />
        <source>Keep imapp running in the tray when its window is closed</source>
        <translation>关闭窗口后让 imapp 在系统托盘中继续运行</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="36" />
        <source>This desktop has no system tray, so imapp cannot keep running there: closing its window quits it.</source>
        <translation>此桌面没有系统托盘，imapp 无法在那里继续运行：关闭窗口即退出。</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="41" />
        <source>Show a desktop notification when:</source>
        <translation>在以下情况显示桌面通知：</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="42" />
        <source>a download has been installed</source>
        <translation>下载的应用已安装</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="43" />
        <source>updates are available</source>
        <translation>有可用更新</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="44" />
        <source>IA is credited to your wallet</source>
        <translation>IA 已存入您的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="45" />
        <source>a round you staked on has settled</source>
        <translation>您押注的一轮已结算</translation>
    </message>
    <message>
        <location filename="../../ui/settingsdesktop.py" line="53" />
        <source>Notifications are shown while imapp's window is not in front; in front, the window itself says what happened.</source>
        <translation>仅在 imapp 窗口不在最前面时显示通知；窗口在最前面时，窗口本身会显示发生了什么。</translation>
    </message>
</context>
<context>
    <name>DiscoverPage</name>
    <message>
        <location filename="../../ui/discover.py" line="210" />
        <source>Discover</source>
        <translation>发现</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="214" />
        <source>Search apps in all stores</source>
        <translation>在所有商店中搜索应用</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="277" />
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="332" />
        <source>Loading the catalogue…</source>
        <translation>正在加载应用目录…</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="334" />
        <source>No apps match “%1”.</source>
        <translation>没有与“%1”匹配的应用。</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="335" />
        <source>Check the spelling, try fewer or other words, or look in every category.</source>
        <translation>请检查拼写，减少或换用其他关键词，或在所有分类中查找。</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="336" />
        <source>Check the spelling or try fewer or other words.</source>
        <translation>请检查拼写，或减少、换用其他关键词。</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="337" />
        <source>Clear the search</source>
        <translation>清除搜索</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="339" />
        <source>No apps in this category yet.</source>
        <translation>此分类中还没有应用。</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="340" />
        <source>Show all apps</source>
        <translation>显示所有应用</translation>
    </message>
    <message>
        <location filename="../../ui/discover.py" line="342" />
        <source>No apps here yet. Add a store in Settings.</source>
        <translation>这里还没有应用。请在“设置”中添加商店。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/discover.py" line="347" />
        <source>%n app(s)</source>
        <translation><numerusform>%n 个应用</numerusform></translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <location filename="../../ui/downloadspage.py" line="64" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="92" />
        <source>Waiting for a free slot…</source>
        <translation>等待空闲的下载位…</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="94" />
        <source>Paused · %1</source>
        <translation>已暂停 · %1</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="95" />
        <source>Checking against the store’s signature…</source>
        <translation>正在按商店签名校验…</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="96" />
        <source>Installing…</source>
        <translation>正在安装…</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="97" />
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="98" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="102" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="103" />
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="103" />
        <location filename="../../ui/downloadspage.py" line="104" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
</context>
<context>
    <name>DownloadsPage</name>
    <message>
        <location filename="../../ui/downloadspage.py" line="173" />
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="177" />
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="179" />
        <source>Resume all</source>
        <translation>全部继续</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="188" />
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="191" />
        <source>Clear list</source>
        <translation>清除列表</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="196" />
        <source>Nothing is downloading. Apps you install appear here while they download; a paused download picks up where it stopped, even after a restart.</source>
        <translation>当前没有下载。您安装的应用下载时会显示在这里；暂停的下载会从中断处继续，即使重启之后也是如此。</translation>
    </message>
</context>
<context>
    <name>FeaturedBanner</name>
    <message>
        <location filename="../../ui/featured.py" line="77" />
        <source>Featured</source>
        <translation>精选</translation>
    </message>
    <message>
        <location filename="../../ui/featured.py" line="91" />
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../ui/featured.py" line="104" />
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../../ui/featured.py" line="104" />
        <source>Next</source>
        <translation>下一个</translation>
    </message>
</context>
<context>
    <name>FeedsDialog</name>
    <message>
        <location filename="../../ui/newsfeeds.py" line="33" />
        <source>News feeds</source>
        <translation>新闻订阅源</translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="36" />
        <source>Each store's own news comes with the store. Add the address of any RSS or Atom feed to follow it too.</source>
        <translation>每个商店的新闻随商店一起提供。您也可以添加任意 RSS 或 Atom 订阅源的地址来订阅它。</translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="49" />
        <source>Add feed</source>
        <translation>添加订阅源</translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="52" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="74" />
        <source>Failing: %1</source>
        <translation>获取失败：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/newsfeeds.py" line="76" />
        <source>%n item(s), checked %1</source>
        <translation><numerusform>%n 条，检查于%1</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="79" />
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../ui/newsfeeds.py" line="80" />
        <source>from the store %1</source>
        <translation>来自商店 %1</translation>
    </message>
</context>
<context>
    <name>FinishedRow</name>
    <message>
        <location filename="../../ui/downloadspage.py" line="136" />
        <source>Updated to %1</source>
        <translation>已更新到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="137" />
        <source>Installed %1</source>
        <translation>已安装 %1</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="138" />
        <source>%1 downloaded</source>
        <translation>已下载 %1</translation>
    </message>
    <message>
        <location filename="../../ui/downloadspage.py" line="144" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>GamesController</name>
    <message>
        <location filename="../../ui/games.py" line="181" />
        <source>The demo store's game rounds could not be updated: %1</source>
        <translation>无法更新演示商店的游戏轮次：%1</translation>
    </message>
</context>
<context>
    <name>GamesPage</name>
    <message>
        <location filename="../../ui/gamespage.py" line="87" />
        <source>Games</source>
        <translation>游戏</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="91" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="96" />
        <source>Stake IA on the outcome of a round. Each round's result comes from a secret seed the store commits to before the round opens and reveals after it locks: you can check every round.</source>
        <translation>用 IA 对一轮的结果下注。每轮的结果来自一个秘密种子：商店在开盘前公布其承诺，在锁定后揭晓种子，每一轮您都可以自行核验。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="115" />
        <source>Show the proof</source>
        <translation>查看证据</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="122" />
        <source>Your results</source>
        <translation>您的战绩</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="133" />
        <source>Open rounds</source>
        <translation>进行中的轮次</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="137" />
        <source>No round is open just now.</source>
        <translation>现在没有进行中的轮次。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="141" />
        <source>Your stakes awaiting a result</source>
        <translation>等待结果的下注</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="151" />
        <source>Settled rounds</source>
        <translation>已结算的轮次</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="153" />
        <source>Check this round…</source>
        <translation>核验这一轮…</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="176" />
        <source>Double-click a round to check it: seed, commitment, the draw step by step, and what you were paid.</source>
        <translation>双击一轮即可核验：种子、承诺、逐步推导的抽取结果，以及您收到的款项。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="218" />
        <source>No settled stakes yet</source>
        <translation>还没有已结算的下注</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="220" />
        <source>Your wins and losses show here once your rounds are settled.</source>
        <translation>您的轮次结算后，输赢会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="228" />
        <source>Net %1</source>
        <translation>净额 %1</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="254" />
        <source>It did not reveal the seed of round “%1” in time: every stake is refunded.</source>
        <translation>它没有按时揭晓“%1”这一轮的种子：所有下注均已退款。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="257" />
        <source>In round “%1” it published two different seeds. Every stake must be refunded.</source>
        <translation>在“%1”这一轮中，它公布了两个不同的种子。所有下注都必须退款。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="260" />
        <source>In round “%1” the seed it revealed does not match the commitment it published before the round opened. Every stake must be refunded.</source>
        <translation>在“%1”这一轮中，商店揭晓的种子与开盘前公布的承诺不符。每笔下注都必须退还。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="264" />
        <source>Your refund of %1 has not come yet.</source>
        <translation>您的 %1 退款尚未到账。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/gamespage.py" line="230" />
        <source>Staked %1, received %2 over %n settled round(s): %3 won, %4 lost.</source>
        <translation><numerusform>在 %n 个已结算轮次中下注 %1，收到 %2：赢 %3 次，输 %4 次。</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="245" />
        <source>%1 owes you %2</source>
        <translation>%1 欠您 %2</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="247" />
        <source>It settled round “%1” without paying what the rule says. Your signed stake receipt and the revealed seed are the proof.</source>
        <translation>它结算了“%1”这一轮，却没有按规则付款。您的已签名下注收据和揭晓的种子就是证据。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="251" />
        <source>%1 broke its promise</source>
        <translation>%1 违背了承诺</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="268" />
        <source>Rounds voided (wrong or missing seed): %1.</source>
        <translation>作废的轮次（种子错误或缺失）：%1。</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="271" />
        <source>(%1 rounds in all)</source>
        <translation>（共 %1 轮）</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="293" />
        <source>Stake %1 to %2</source>
        <translation>下注 %1 至 %2</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="307" />
        <source>Stake on %1: pays %2 times the stake if it wins</source>
        <translation>押注 %1：若赢，支付下注额的 %2 倍</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="317" />
        <source>Your stake: %1 on %2</source>
        <translation>您的下注：%1 押 %2</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="320" />
        <source>Commitment %1</source>
        <translation>承诺 %1</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="322" />
        <source>SHA-256 of the secret seed, published before the round opened</source>
        <translation>秘密种子的 SHA-256，在开盘前公布</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="340" />
        <source>Check…</source>
        <translation>核验…</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="351" />
        <source>Locks in %1</source>
        <translation>%1 后锁定</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="353" />
        <source>Seed due in %1</source>
        <translation>种子须在 %1 内揭晓</translation>
    </message>
    <message>
        <location filename="../../ui/gamespage.py" line="361" />
        <source>The rounds could not be read: %1</source>
        <translation>无法读取轮次：%1</translation>
    </message>
</context>
<context>
    <name>HostTexts</name>
    <message>
        <location filename="../../ui/host/dialogs.py" line="16" />
        <source>Open outside imapp?</source>
        <translation>在 imapp 之外打开？</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="19" />
        <source>%1 wants to open a page that is not part of it:</source>
        <translation>%1 想打开一个不属于它的页面：</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="21" />
        <source>Open it in your web browser?</source>
        <translation>要在您的网页浏览器中打开吗？</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="24" />
        <source>Allow access?</source>
        <translation>允许访问？</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="28" />
        <source>your camera</source>
        <translation>您的摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="28" />
        <source>your microphone</source>
        <translation>您的麦克风</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="29" />
        <source>what is on your screen</source>
        <translation>您屏幕上的内容</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="29" />
        <source>your location</source>
        <translation>您的位置</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="30" />
        <source>showing notifications</source>
        <translation>显示通知</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="32" />
        <source>%1 asks for %2. Allow it this time?</source>
        <translation>%1 请求访问%2。这次允许吗？</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="35" />
        <source>Save file</source>
        <translation>保存文件</translation>
    </message>
    <message>
        <location filename="../../ui/host/dialogs.py" line="38" />
        <source>%1: %2 was not saved (%3)</source>
        <translation>%1：%2 未保存（%3）</translation>
    </message>
</context>
<context>
    <name>InstallController</name>
    <message>
        <location filename="../../ui/dappopening.py" line="79" />
        <source>%1: DApps open in your web browser instead</source>
        <translation>%1：DApp 将改为在您的网页浏览器中打开</translation>
    </message>
    <message>
        <location filename="../../ui/dappopening.py" line="81" />
        <source>The DApp host cannot start</source>
        <translation>DApp 运行环境无法启动</translation>
    </message>
</context>
<context>
    <name>ItemDelegate</name>
    <message>
        <location filename="../../ui/newsdelegate.py" line="67" />
        <source>(untitled)</source>
        <translation>（无标题）</translation>
    </message>
</context>
<context>
    <name>LibraryPage</name>
    <message>
        <location filename="../../ui/librarypage.py" line="125" />
        <source>Library</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="132" />
        <source>Update all</source>
        <translation>全部更新</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="148" />
        <source>No apps installed yet. Find one in Discover and press Install; it keeps working offline.</source>
        <translation>还没有安装应用。在“发现”中找到一个应用并点击“安装”；安装后离线也能使用。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="187" />
        <source>%n update(s) available</source>
        <translation><numerusform>%n 个更新可用</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="192" />
        <source>%n app(s) installed</source>
        <translation><numerusform>已安装 %n 个应用</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="204" />
        <source>%n update(s) wait for your consent: %1. Review each one to update it.</source>
        <translation><numerusform>%n 个更新等待您的同意：%1。请逐个查看后再更新。</numerusform></translation>
    </message>
</context>
<context>
    <name>LibraryRow</name>
    <message>
        <location filename="../../ui/librarypage.py" line="45" />
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="46" />
        <source>%1 on disk</source>
        <translation>占用 %1</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="47" />
        <source>from %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="49" />
        <source>its store was removed: no more updates</source>
        <translation>其商店已移除：不再有更新</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="66" />
        <source>Update to %1</source>
        <translation>更新到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="70" />
        <source>Updating…</source>
        <translation>正在更新…</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="72" />
        <source>Review update</source>
        <translation>查看更新</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="75" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/librarypage.py" line="77" />
        <source>Uninstall</source>
        <translation>卸载</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/mainwindow.py" line="127" />
        <source>Discover</source>
        <translation>发现</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="127" />
        <source>Library</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="130" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="129" />
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="128" />
        <source>News</source>
        <translation>新闻</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="128" />
        <source>Games</source>
        <translation>游戏</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="129" />
        <source>Wallet</source>
        <translation>钱包</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="294" />
        <source>“%1” is not an imapp link. Links look like imapp://app/STORE/ID.</source>
        <translation>“%1”不是 imapp 链接。链接格式为 imapp://app/商店/应用ID。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="305" />
        <source>Open app</source>
        <translation>打开应用</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="307" />
        <source>A link asks imapp to open “%1”. Open it?</source>
        <translation>有链接请求 imapp 打开“%1”。要打开吗？</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="340" />
        <source>“%1” is not installed yet: install it to open it.</source>
        <translation>“%1”尚未安装：请先安装再打开。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="358" />
        <source>Refreshing stores…</source>
        <translation>正在刷新商店…</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="364" />
        <source>All stores up to date</source>
        <translation>所有商店均已是最新</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="372" />
        <source>Offline or failing: showing the catalogue verified %1</source>
        <translation>离线或出错：正在显示上次验证（%1）的目录</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="375" />
        <source>A store could not be checked, and has no verified catalogue yet</source>
        <translation>有商店无法检查，且尚无已验证的目录</translation>
    </message>
</context>
<context>
    <name>NewsController</name>
    <message>
        <location filename="../../ui/newsmodel.py" line="241" />
        <source>%1 news</source>
        <translation>%1新闻</translation>
    </message>
</context>
<context>
    <name>NewsPage</name>
    <message>
        <location filename="../../ui/newspage.py" line="89" />
        <source>News</source>
        <translation>新闻</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="95" />
        <source>Search news</source>
        <translation>搜索新闻</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="98" />
        <source>Unread</source>
        <translation>未读</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="103" />
        <source>Mark all read</source>
        <translation>全部标为已读</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="106" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="109" />
        <source>Feeds…</source>
        <translation>订阅源…</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="153" />
        <source>Mark unread</source>
        <translation>标为未读</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="155" />
        <source>Open in browser</source>
        <translation>在浏览器中打开</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="157" />
        <source>Share</source>
        <translation>分享</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="159" />
        <source>Copy the link and a short text to the clipboard</source>
        <translation>将链接和一段简短文字复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="222" />
        <source>No news matches “%1”.</source>
        <translation>没有与“%1”匹配的新闻。</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="224" />
        <source>You have read everything.</source>
        <translation>您已读完所有新闻。</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="226" />
        <source>No news yet. Stores publish news, and you can add your own RSS or Atom feeds with Feeds…</source>
        <translation>还没有新闻。商店会发布新闻，您也可以通过“订阅源…”添加自己的 RSS 或 Atom 订阅源。</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="232" />
        <source>Checking feeds…</source>
        <translation>正在检查订阅源…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/newspage.py" line="242" />
        <source>%n feed(s) could not be fetched: %1</source>
        <translation><numerusform>%n 个订阅源无法获取：%1</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="268" />
        <source>Open link</source>
        <translation>打开链接</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="270" />
        <source>Open this address in your browser?</source>
        <translation>要在浏览器中打开这个地址吗？</translation>
    </message>
    <message>
        <location filename="../../ui/newspage.py" line="287" />
        <source>Copied the link and a short text: paste it to share.</source>
        <translation>已复制链接和简短文字：粘贴即可分享。</translation>
    </message>
</context>
<context>
    <name>Notices</name>
    <message>
        <location filename="../../ui/notices.py" line="93" />
        <source>%1 was updated</source>
        <translation>%1 已更新</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="93" />
        <source>%1 was installed</source>
        <translation>%1 已安装</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="95" />
        <source>Version %1 is ready to open.</source>
        <translation>%1 版已可以打开。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/notices.py" line="97" />
        <source>%n app(s) installed or updated</source>
        <translation><numerusform>已安装或更新 %n 个应用</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/notices.py" line="109" />
        <source>%n update(s) available</source>
        <translation><numerusform>%n 个更新可用</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="126" />
        <source>+%1 IA credited</source>
        <translation>已到账 +%1 IA</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="127" />
        <source>Your IA balance is now %1 IA.</source>
        <translation>您的 IA 余额现为 %1 IA。</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="149" />
        <source>Round settled: %1</source>
        <translation>本轮已结算：%1</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="151" />
        <source>You staked %1 IA and received %2 IA.</source>
        <translation>您押注了 %1 IA，获得 %2 IA。</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="155" />
        <source>The round was voided; your stake is refunded.</source>
        <translation>本轮已作废，您的押注已退还。</translation>
    </message>
    <message>
        <location filename="../../ui/notices.py" line="157" />
        <source>Check it on the Games page.</source>
        <translation>请在“游戏”页面查看。</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <location filename="../../ui/walletpass.py" line="45" />
        <source>Too short: at least %1 characters</source>
        <translation>太短：至少 %1 个字符</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="48" />
        <source>Weak: a longer passphrase, or a few unrelated words, is much harder to guess</source>
        <translation>弱：更长的密码，或几个互不相关的词，会难猜得多</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="51" />
        <source>Fair</source>
        <translation>中等</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="52" />
        <source>Strong</source>
        <translation>强</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="65" />
        <source>Change the wallet's passphrase</source>
        <translation>更改钱包密码</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="66" />
        <source>Choose a new passphrase for your wallet file, of at least %1 characters. The old one will no longer open it.</source>
        <translation>为您的钱包文件选择一个新密码，至少 %1 个字符。旧密码将无法再打开它。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="69" />
        <source>Create a wallet protected by a passphrase</source>
        <translation>创建由密码保护的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="70" />
        <source>No system keyring can keep your wallet on this computer, so it is kept in a file protected by a passphrase. Choose one of at least %1 characters. A forgotten passphrase cannot be recovered: only your seed words can restore the wallet.</source>
        <translation>这台电脑上没有可用的系统密钥环，因此您的钱包将保存在一个由密码保护的文件中。请设置至少 %1 个字符的密码。忘记的密码无法找回：只有助记词能恢复钱包。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="75" />
        <source>Unlock your wallet</source>
        <translation>解锁您的钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="76" />
        <source>Type the passphrase that protects your wallet file.</source>
        <translation>请输入保护您钱包文件的密码。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="82" />
        <source>Wallet file: %1</source>
        <translation>钱包文件：%1</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="88" />
        <source>Passphrase</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="88" />
        <source>New passphrase</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="93" />
        <source>The same passphrase again</source>
        <translation>再次输入同一密码</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="110" />
        <source>Change</source>
        <translation>更改</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="111" />
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="111" />
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="126" />
        <location filename="../../ui/walletpass.py" line="152" />
        <source>Use at least %1 characters.</source>
        <translation>请至少使用 %1 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="128" />
        <source>The two passphrases differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="130" />
        <source>Type the passphrase.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpass.py" line="149" />
        <source>That passphrase does not open the wallet: try again.</source>
        <translation>这个密码无法打开钱包：请重试。</translation>
    </message>
</context>
<context>
    <name>ProblemPage</name>
    <message>
        <location filename="../../ui/host/window.py" line="62" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <location filename="../../ui/walletdialogs.py" line="88" />
        <source>Restore a wallet</source>
        <translation>恢复钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="91" />
        <source>Type your 12 or 24 seed words, in order, separated by spaces.</source>
        <translation>请按顺序输入您的 12 或 24 个助记词，用空格分隔。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="104" />
        <source>This replaces the wallet %1 on this computer. Its receipts are kept aside, but without its own seed words it cannot be restored again.</source>
        <translation>这将替换这台电脑上的钱包 %1。它的收据会另行保留，但没有它自己的助记词就无法再恢复它。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="110" />
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="138" />
        <source>These %1 words are a valid seed.</source>
        <translation>这 %1 个单词是有效的助记词。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="143" />
        <source>Word %1 is not a seed word.</source>
        <translation>第 %1 个单词不是助记词。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="145" />
        <source>Did you mean: %1?</source>
        <translation>您是不是想输入：%1？</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="148" />
        <source>%1 words so far: a seed has 12, 15, 18, 21 or 24.</source>
        <translation>目前 %1 个单词：助记词应为 12、15、18、21 或 24 个。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="150" />
        <source>Every word is a seed word, but they do not add up (the checksum): one is wrong, or two are swapped. Check them against your backup.</source>
        <translation>每个单词都是助记词，但校验和不匹配：有一个单词错了，或有两个单词顺序颠倒。请对照您的备份检查。</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="160" />
        <source>Replace this wallet?</source>
        <translation>替换此钱包？</translation>
    </message>
    <message>
        <location filename="../../ui/walletdialogs.py" line="161" />
        <source>Replace the wallet %1 with the one these words restore?</source>
        <translation>用这些助记词恢复的钱包替换钱包 %1 吗？</translation>
    </message>
</context>
<context>
    <name>RewardsCard</name>
    <message>
        <location filename="../../ui/walletrewards.py" line="54" />
        <source>What each activity earns shows here once your wallet is ready.</source>
        <translation>钱包就绪后，这里会显示每项活动可获得的奖励。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="62" />
        <source>None of your stores pays rewards.</source>
        <translation>您的商店都不发放奖励。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="88" />
        <source>%1 of %2 today</source>
        <translation>今天 %1 / %2</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="94" />
        <source>Today: %1 of %2 IA (days are UTC)</source>
        <translation>今天：%1 / %2 IA（按 UTC 计日）</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="100" />
        <source>Next dividend %1: %2 IA shared among all holders, by balance.</source>
        <translation>下次分红 %1：%2 IA 按余额分给所有持有人。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="106" />
        <source>Today's progress cannot be read now: %1</source>
        <translation>今天的进度现在无法读取：%1</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="110" />
        <source>Unlock…</source>
        <translation>解锁…</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="115" />
        <source>The store's service cannot be reached now; claims wait and are sent later. (%1)</source>
        <translation>现在无法连接商店的服务；申领会等待并稍后发送。（%1）</translation>
    </message>
</context>
<context>
    <name>ScreenshotViewer</name>
    <message>
        <location filename="../../ui/screenshots.py" line="31" />
        <source>Screenshots of %1</source>
        <translation>%1 的截图</translation>
    </message>
    <message>
        <location filename="../../ui/screenshots.py" line="37" />
        <source>‹ Previous</source>
        <translation>‹ 上一张</translation>
    </message>
    <message>
        <location filename="../../ui/screenshots.py" line="38" />
        <source>Next ›</source>
        <translation>下一张 ›</translation>
    </message>
    <message>
        <location filename="../../ui/screenshots.py" line="39" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/screenshots.py" line="71" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../ui/settings.py" line="56" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="79" />
        <source>Stores</source>
        <translation>商店</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="82" />
        <source>Refresh all</source>
        <translation>全部刷新</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="84" />
        <source>Add store…</source>
        <translation>添加商店…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="94" />
        <source>DApps connected to your wallet</source>
        <translation>已连接钱包的 DApp</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="102" />
        <source>Language and appearance</source>
        <translation>语言与外观</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="113" />
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="113" />
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="114" />
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="119" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="119" />
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="132" />
        <source>Your data</source>
        <translation>您的数据</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="137" />
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="143" />
        <source>Everything imapp keeps — stores, catalogues, settings — is in this folder. Start imapp with --data-dir to use another one.</source>
        <translation>imapp 保存的所有内容（商店、目录、设置）都在此文件夹中。使用 --data-dir 启动 imapp 可改用其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="167" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="172" />
        <source>No stores. Add one to see apps.</source>
        <translation>没有商店。添加一个商店即可浏览应用。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="186" />
        <source>Built-in demo store</source>
        <translation>内置演示商店</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="192" />
        <source>Fingerprint: %1…</source>
        <translation>指纹：%1…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="198" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="201" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="218" />
        <source>No DApp is connected. A DApp asks you before it can see your wallet address, and again before each signature or payment.</source>
        <translation>没有已连接的 DApp。DApp 必须先征得您的同意才能查看钱包地址，每次签名或付款前也都会再次询问。</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="237" />
        <source>Sees %1 · connected %2</source>
        <translation>可查看 %1 · %2连接</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="244" />
        <source>Disconnect</source>
        <translation>断开</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="258" />
        <source>Refreshing…</source>
        <translation>正在刷新…</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="260" />
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="263" />
        <source>✓ Verified %1 · %2 apps</source>
        <translation>✓ 已验证（%1）· %2 个应用</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="266" />
        <source>⚠ %1 — no verified catalogue yet</source>
        <translation>⚠ %1 — 尚无已验证的目录</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="267" />
        <source>⚠ %1 — using the catalogue verified %2</source>
        <translation>⚠ %1 —— 正在使用上次验证（%2）的目录</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="277" />
        <source>Remove store</source>
        <translation>移除商店</translation>
    </message>
    <message>
        <location filename="../../ui/settings.py" line="278" />
        <source>Remove the store “%1”? Its apps disappear from Discover.</source>
        <translation>要移除商店“%1”吗？它的应用将从“发现”中消失。</translation>
    </message>
</context>
<context>
    <name>StakeDialog</name>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="77" />
        <source>Stake on a round</source>
        <translation>下注</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="90" />
        <source>Option</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="92" />
        <source>IA to stake (%1 to %2)</source>
        <translation>下注的 IA（%1 至 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="94" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="96" />
        <source>Odds</source>
        <translation>赔率</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="101" />
        <source>If it wins you receive</source>
        <translation>若赢，您将收到</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="103" />
        <source>Locks in</source>
        <translation>锁定倒计时</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="109" />
        <source>The store's service takes the stake only before the round locks by its own clock; a loss pays nothing.</source>
        <translation>商店的服务只按它自己的时钟在锁定前接受下注；输了不支付任何款项。</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="115" />
        <source>Stake</source>
        <translation>押注</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="151" />
        <source>A stake on this round is %1 to %2.</source>
        <translation>这一轮的下注额为 %1 至 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="160" />
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="175" />
        <source>Staked %1 on %2 (receipt #%3).</source>
        <translation>已下注 %1 押 %2（收据 #%3）。</translation>
    </message>
</context>
<context>
    <name>SwapDialog</name>
    <message>
        <location filename="../../ui/walletrewards.py" line="138" />
        <source>Swap IA for BCD</source>
        <translation>将 IA 兑换为 BCD</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="143" />
        <source>%1 swaps IA for BCD at the rate it publishes. BCD stays in your account at this store until you withdraw it.</source>
        <translation>%1 按其公布的比率将 IA 兑换为 BCD。BCD 会保留在您在该商店的账户中，直到您提现。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="150" />
        <source>IA to swap</source>
        <translation>要兑换的 IA</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="151" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="160" />
        <source>Rate</source>
        <translation>比率</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="161" />
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="162" />
        <source>You receive</source>
        <translation>您将收到</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="163" />
        <source>Quote valid</source>
        <translation>报价有效期</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="167" />
        <source>From %1 to %2 IA per swap; you have %3 IA.</source>
        <translation>每次兑换 %1 至 %2 IA；您有 %3 IA。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="176" />
        <source>Swap</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="199" />
        <source>Getting a quote…</source>
        <translation>正在获取报价…</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="223" />
        <source>That is more than the %1 IA you have.</source>
        <translation>超过了您拥有的 %1 IA。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="202" />
        <location filename="../../ui/walletrewards.py" line="228" />
        <source>Asking the store for a quote…</source>
        <translation>正在向商店询价…</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="153" />
        <location filename="../../ui/walletrewards.py" line="236" />
        <source>%1 BCD per IA</source>
        <translation>每 IA 兑 %1 BCD</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="240" />
        <source>The amount received is rounded down to whole base units.</source>
        <translation>收到的金额按最小单位向下取整。</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="255" />
        <source>expired: asking again…</source>
        <translation>已过期：正在重新询价…</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="260" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="268" />
        <source>Swapping…</source>
        <translation>正在兑换…</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/tray.py" line="150" />
        <source>imapp is still running</source>
        <translation>imapp 仍在运行</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="151" />
        <source>It keeps running in the tray. To quit, choose Quit in its menu.</source>
        <translation>它会在系统托盘中继续运行。要退出，请在托盘菜单中选择“退出”。</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="171" />
        <source>Unread news: %1</source>
        <translation>未读新闻：%1</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="172" />
        <source>Updates available: %1</source>
        <translation>可用更新：%1</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="178" />
        <source>IA today: %1</source>
        <translation>今日 IA：%1</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="182" />
        <source>Open imapp</source>
        <translation>打开 imapp</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="183" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>UninstallDialog</name>
    <message>
        <location filename="../../ui/appactions.py" line="32" />
        <location filename="../../ui/appactions.py" line="39" />
        <source>Uninstall</source>
        <translation>卸载</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="34" />
        <source>Uninstall “%1”?</source>
        <translation>卸载“%1”？</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="35" />
        <source>You can install it again at any time.</source>
        <translation>您可以随时重新安装。</translation>
    </message>
    <message>
        <location filename="../../ui/appactions.py" line="36" />
        <source>Keep what it saved on this computer</source>
        <translation>保留它在这台电脑上保存的数据</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="199" />
        <source>Check round %1</source>
        <translation>核验轮次 %1</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="216" />
        <source>Commitment</source>
        <translation>承诺</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="217" />
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="217" />
        <source>not revealed yet</source>
        <translation>尚未揭晓</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="220" />
        <source>matches the commitment</source>
        <translation>与承诺相符</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="220" />
        <source>does NOT match the commitment</source>
        <translation>与承诺不符</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="224" />
        <source>SHA-256(seed)</source>
        <translation>SHA-256(种子)</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="227" />
        <source>Drawn</source>
        <translation>抽出</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="229" />
        <source>Step by step (anyone can recompute it: docs/games.md)</source>
        <translation>逐步推导（任何人都可以重新计算：docs/games.md）</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="243" />
        <source>Your receipts for this round</source>
        <translation>您在这一轮的收据</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="255" />
        <source>nothing (lost)</source>
        <translation>无（输）</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="256" />
        <source>owed by the rule: %1; received %2</source>
        <translation>按规则应付：%1；已收到 %2</translation>
    </message>
    <message>
        <location filename="../../ui/gamesdialogs.py" line="258" />
        <source>You did not stake on this round.</source>
        <translation>您没有在这一轮下注。</translation>
    </message>
</context>
<context>
    <name>WalletAccess</name>
    <message>
        <location filename="../../ui/host/walletaccess.py" line="133" />
        <source>%1 sent too many wallet requests: paused for %2 s</source>
        <translation>%1 发送的钱包请求过多：已暂停 %2 秒</translation>
    </message>
    <message>
        <location filename="../../ui/host/walletaccess.py" line="224" />
        <source>You refused %1 several times: imapp does not ask again for %2 s</source>
        <translation>您已多次拒绝 %1：imapp 在 %2 秒内不再询问</translation>
    </message>
    <message>
        <location filename="../../ui/host/walletaccess.py" line="284" />
        <source>A new wallet, made for you when you connect</source>
        <translation>连接时为您新建的钱包</translation>
    </message>
</context>
<context>
    <name>WalletController</name>
    <message>
        <location filename="../../ui/wallet.py" line="169" />
        <location filename="../../ui/wallet.py" line="182" />
        <source>Rewards could not be claimed now: %1</source>
        <translation>现在无法申领奖励：%1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="270" />
        <source>Re-synced: %1 receipt(s) received.</source>
        <translation>已重新同步：收到 %1 张收据。</translation>
    </message>
</context>
<context>
    <name>WalletPage</name>
    <message>
        <location filename="../../ui/walletpage.py" line="82" />
        <source>Wallet</source>
        <translation>钱包</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="86" />
        <location filename="../../ui/walletpage.py" line="408" />
        <source>Verify</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="87" />
        <source>Check every receipt's signature, order and chain</source>
        <translation>检查每张收据的签名、顺序和哈希链</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="89" />
        <source>Back up…</source>
        <translation>备份…</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="91" />
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="93" />
        <source>Swap IA → BCD…</source>
        <translation>兑换 IA → BCD…</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="114" />
        <source>This wallet's ledger does not verify</source>
        <translation>此钱包的账本未通过验证</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="119" />
        <source>Re-sync from the store</source>
        <translation>从商店重新同步</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="383" />
        <source>Copy address</source>
        <translation>复制地址</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="153" />
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="179" />
        <source>Balance over time</source>
        <translation>余额变化</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="196" />
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="199" />
        <source>All assets</source>
        <translation>全部资产</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="203" />
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="212" />
        <source>Search receipts</source>
        <translation>搜索收据</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="233" />
        <location filename="../../ui/walletpage.py" line="312" />
        <source>No receipts yet. You earn IA by browsing, sharing, downloading, updating and opening apps.</source>
        <translation>还没有收据。浏览、分享、下载、更新和打开应用都可以赚取 IA。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="129" />
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="97" />
        <source>Withdraw BCD…</source>
        <translation>提现 BCD…</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="98" />
        <source>Send BCD from your account at a store to a BCD address</source>
        <translation>把您在商店账户中的 BCD 发送到一个 BCD 地址</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/walletpage.py" line="266" />
        <source>%n claim(s) waiting for the store's service</source>
        <translation><numerusform>%n 项申领正在等待商店服务处理</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="269" />
        <source>Nothing pending.</source>
        <translation>没有待处理的申领。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="274" />
        <source>%1. Nothing can be spent until the wallet is re-synced from store %2's service, which sends its receipts again; the rows it replaces are kept aside.</source>
        <translation>%1。在从商店 %2 的服务重新同步钱包之前无法支出，该服务会重新发送它的收据；被替换的记录会另行保留。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="311" />
        <source>No receipts match.</source>
        <translation>没有匹配的收据。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="326" />
        <source>Paid to %1</source>
        <translation>支付给 %1</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="326" />
        <source>Received through %1</source>
        <translation>通过 %1 收到</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="347" />
        <source>Swapped: the receipts are in your history.</source>
        <translation>已兑换：收据已在历史记录中。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="370" />
        <source>Withdrawal requested: its receipt is in your history.</source>
        <translation>已申请提现：其收据在您的记录中。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="382" />
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="390" />
        <source>The wallet's passphrase was changed.</source>
        <translation>钱包密码已更改。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="402" />
        <source>Verifying…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="415" />
        <source>Verified: %1 receipts, all signatures good, at %2</source>
        <translation>已验证：%1 张收据，所有签名均有效，时间 %2</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="439" />
        <source>whose address could not be confirmed</source>
        <translation>（地址无法确认）</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="448" />
        <source>Restored the wallet %1.</source>
        <translation>已恢复钱包 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/walletpage.py" line="450" />
        <source>What it replaced is kept aside: see the copies under your address.</source>
        <translation>被替换的内容已留存：请查看地址下方的副本。</translation>
    </message>
</context>
<context>
    <name>WithdrawDialog</name>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="41" />
        <source>Enter a BCD address (it starts with 1 or 3, like a Bitcoin address).</source>
        <translation>请输入 BCD 地址（以 1 或 3 开头，与比特币地址相同）。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="45" />
        <source>This is not a BCD address: it has a character an address never has, “%1” (0, O, I and l are never used).</source>
        <translation>这不是 BCD 地址：其中有地址中从不出现的字符“%1”（0、O、I 和 l 从不使用）。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="49" />
        <source>This is not a BCD address: an address has 25 to 35 characters.</source>
        <translation>这不是 BCD 地址：地址长度为 25 到 35 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="54" />
        <source>This is not a BCD address: its checksum does not match (a character is wrong or missing).</source>
        <translation>这不是 BCD 地址：校验和不符（有字符错误或缺失）。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="57" />
        <source>This is some other kind of key or address: a BCD address starts with 1 or 3.</source>
        <translation>这是另一种密钥或地址：BCD 地址以 1 或 3 开头。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="64" />
        <source>Enter the amount of BCD to withdraw.</source>
        <translation>请输入要提现的 BCD 数量。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="66" />
        <source>The amount must be more than 0.</source>
        <translation>金额必须大于 0。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="68" />
        <source>BCD has at most 7 decimal places.</source>
        <translation>BCD 最多有 7 位小数。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="70" />
        <source>The amount cannot be negative.</source>
        <translation>金额不能为负数。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="71" />
        <source>That is not an amount: type a number such as 0.05.</source>
        <translation>这不是金额：请输入数字，例如 0.05。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="78" />
        <source>The store says your BCD balance is too low for this withdrawal.</source>
        <translation>商店表示您的 BCD 余额不足以完成这次提现。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="81" />
        <source>The store refused this address: it is not a BCD address it can send to.</source>
        <translation>商店拒绝了这个地址：它不是商店可以转账的 BCD 地址。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="84" />
        <source>The store's service cannot be reached now; nothing was withdrawn. Try again later.</source>
        <translation>目前无法连接商店的服务；没有提现任何金额。请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="88" />
        <source>The store asks to slow down; nothing was withdrawn. Try again in a moment.</source>
        <translation>商店要求放慢请求速度；没有提现任何金额。请稍候再试。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="90" />
        <source>Nothing was withdrawn: %1</source>
        <translation>没有提现任何金额：%1</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="104" />
        <source>Withdraw BCD</source>
        <translation>提现 BCD</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="107" />
        <source>%1 sends BCD from your account at this store to a BCD address. You have %2 BCD there.</source>
        <translation>%1 会把您在这家商店账户中的 BCD 发送到一个 BCD 地址。您在这里有 %2 BCD。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="177" />
        <source>Withdraw %1 BCD from your account at %2 to the address %3? The store's operator sends it on the BCD chain; it cannot be undone.</source>
        <translation>要从您在 %2 的账户提现 %1 BCD 到地址 %3 吗？商店运营者会在 BCD 链上发送这笔款项；此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="115" />
        <source>BCD address (1… or 3…)</source>
        <translation>BCD 地址（1… 或 3…）</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="116" />
        <source>To address</source>
        <translation>收款地址</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="119" />
        <source>BCD to withdraw</source>
        <translation>要提现的 BCD</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="120" />
        <source>Max</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="124" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="125" />
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="125" />
        <source>no fee</source>
        <translation>无手续费</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="128" />
        <source>A BCD address looks exactly like a Bitcoin (BTC) address: check that whoever sends to it, or receives from it, means BCD.</source>
        <translation>BCD 地址与比特币（BTC）地址看起来完全一样：请确认向它付款或从它收款的一方指的是 BCD。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="138" />
        <location filename="../../ui/walletwithdraw.py" line="152" />
        <source>Withdraw…</source>
        <translation>提现…</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="164" />
        <source>That is more than the %1 BCD you have at this store.</source>
        <translation>这超过了您在这家商店拥有的 %1 BCD。</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="181" />
        <source>Confirm withdrawal</source>
        <translation>确认提现</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="189" />
        <source>Withdrawing…</source>
        <translation>正在提现…</translation>
    </message>
    <message>
        <location filename="../../ui/walletwithdraw.py" line="202" />
        <source>the wallet is not open</source>
        <translation>钱包尚未打开</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="40" />
        <source>%n byte(s)</source>
        <translation><numerusform>%n 字节</numerusform></translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="44" />
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location filename="../../ui/texts.py" line="46" />
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="49" />
        <source>%n s left</source>
        <translation><numerusform>剩余 %n 秒</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="50" />
        <source>%n min left</source>
        <translation><numerusform>剩余 %n 分钟</numerusform></translation>
    </message>
</context>
<context>
    <name>games</name>
    <message>
        <location filename="../../ui/games.py" line="91" />
        <location filename="../../ui/games.py" line="106" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="92" />
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="93" />
        <source>Revealed</source>
        <translation>已揭晓</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="94" />
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="95" />
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="96" />
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="100" />
        <source>Fair, paid as the rule says</source>
        <translation>公平，已按规则支付</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="101" />
        <source>The store owes you</source>
        <translation>商店欠您款项</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="102" />
        <source>The store broke its promise</source>
        <translation>商店违背了承诺</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="103" />
        <source>Broken promise: no reveal in time (refunded)</source>
        <translation>违背承诺：未按时揭晓（已退款）</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="104" />
        <source>Cannot be checked</source>
        <translation>无法核验</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="105" />
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="123" />
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="240" />
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="240" />
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="241" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="241" />
        <source>Drawn</source>
        <translation>抽出</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="242" />
        <source>Your stake</source>
        <translation>您的下注</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="243" />
        <source>Received</source>
        <translation>已收到</translation>
    </message>
    <message>
        <location filename="../../ui/games.py" line="243" />
        <source>Check</source>
        <translation>核验</translation>
    </message>
</context>
<context>
    <name>rewards</name>
    <message>
        <location filename="../../ui/walletrewards.py" line="34" />
        <source>Browsing an app</source>
        <translation>浏览应用</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="35" />
        <source>Sharing an app</source>
        <translation>分享应用</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="36" />
        <source>Downloading an app</source>
        <translation>下载应用</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="37" />
        <source>Updating an app</source>
        <translation>更新应用</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="38" />
        <source>Opening an app</source>
        <translation>打开应用</translation>
    </message>
    <message>
        <location filename="../../ui/walletrewards.py" line="282" />
        <source>Rewards</source>
        <translation>奖励</translation>
    </message>
</context>
<context>
    <name>wallet</name>
    <message>
        <location filename="../../ui/walletmodels.py" line="27" />
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="28" />
        <source>Dividend</source>
        <translation>分红</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="29" />
        <source>Swap</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="30" />
        <source>Stake</source>
        <translation>押注</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="31" />
        <source>Payout</source>
        <translation>派彩</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="32" />
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="33" />
        <source>Payment</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="34" />
        <source>Withdrawal</source>
        <translation>提现</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="95" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="95" />
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="96" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="96" />
        <source>For</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="97" />
        <source>Store</source>
        <translation>商店</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="168" />
        <source>Swap: %1 → %2</source>
        <translation>兑换：%1 → %2</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="172" />
        <source>Swap (quote %1)</source>
        <translation>兑换（报价 %1）</translation>
    </message>
    <message>
        <location filename="../../ui/walletmodels.py" line="195" />
        <source>Requested to %1</source>
        <translation>已申请提现到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="413" />
        <source>browsed %1</source>
        <translation>浏览了 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="414" />
        <source>shared %1</source>
        <translation>分享了 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="415" />
        <source>downloaded %1</source>
        <translation>下载了 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="416" />
        <source>updated %1</source>
        <translation>更新了 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="417" />
        <source>opened %1</source>
        <translation>打开了 %1</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="422" />
        <source>already credited</source>
        <translation>已经奖励过</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="423" />
        <source>today's cap for this activity is reached</source>
        <translation>此活动今天的上限已达到</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="424" />
        <source>today's total cap is reached</source>
        <translation>今天的总上限已达到</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="425" />
        <source>the store does not list this app</source>
        <translation>商店未列出此应用</translation>
    </message>
    <message>
        <location filename="../../ui/wallet.py" line="430" />
        <source>No IA for %1: %2</source>
        <translation>%1 未获得 IA：%2</translation>
    </message>
</context>
</TS>