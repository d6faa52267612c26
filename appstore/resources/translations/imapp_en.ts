<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountCard</name>
    <message numerus="yes">
        <location filename="../../ui/walletaccount.py" line="164" />
        <source>%n copy(ies) set aside by restores…</source>
        <translation><numerusform>%n copy set aside by restores…</numerusform><numerusform>%n copies set aside by restores…</numerusform></translation>
    </message>
</context>
<context>
    <name>CopiesDialog</name>
    <message numerus="yes">
        <location filename="../../ui/walletcopies.py" line="112" />
        <source>%n wallet file(s) will be deleted. Each holds the words of the wallet it names: without the file or those words, that wallet cannot be restored.</source>
        <translation><numerusform>%n wallet file will be deleted. It holds the words of the wallet it names: without the file or those words, that wallet cannot be restored.</numerusform><numerusform>%n wallet files will be deleted. Each holds the words of the wallet it names: without the file or those words, that wallet cannot be restored.</numerusform></translation>
    </message>
</context>
<context>
    <name>DiscoverPage</name>
    <message numerus="yes">
        <location filename="../../ui/discover.py" line="347" />
        <source>%n app(s)</source>
        <translation><numerusform>%n app</numerusform><numerusform>%n apps</numerusform></translation>
    </message>
</context>
<context>
    <name>FeedsDialog</name>
    <message numerus="yes">
        <location filename="../../ui/newsfeeds.py" line="76" />
        <source>%n item(s), checked %1</source>
        <translation><numerusform>%n item, checked %1</numerusform><numerusform>%n items, checked %1</numerusform></translation>
    </message>
</context>
<context>
    <name>GamesPage</name>
    <message numerus="yes">
        <location filename="../../ui/gamespage.py" line="230" />
        <source>Staked %1, received %2 over %n settled round(s): %3 won, %4 lost.</source>
        <translation><numerusform>Staked %1, received %2 over %n settled round: %3 won, %4 lost.</numerusform><numerusform>Staked %1, received %2 over %n settled rounds: %3 won, %4 lost.</numerusform></translation>
    </message>
</context>
<context>
    <name>LibraryPage</name>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="187" />
        <source>%n update(s) available</source>
        <translation><numerusform>%n update available</numerusform><numerusform>%n updates available</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="192" />
        <source>%n app(s) installed</source>
        <translation><numerusform>%n app installed</numerusform><numerusform>%n apps installed</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/librarypage.py" line="204" />
        <source>%n update(s) wait for your consent: %1. Review each one to update it.</source>
        <translation><numerusform>%n update waits for your consent: %1. Review it to update it.</numerusform><numerusform>%n updates wait for your consent: %1. Review each one to update it.</numerusform></translation>
    </message>
</context>
<context>
    <name>NewsPage</name>
    <message numerus="yes">
        <location filename="../../ui/newspage.py" line="242" />
        <source>%n feed(s) could not be fetched: %1</source>
        <translation><numerusform>%n feed could not be fetched: %1</numerusform><numerusform>%n feeds could not be fetched: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>Notices</name>
    <message numerus="yes">
        <location filename="../../ui/notices.py" line="97" />
        <source>%n app(s) installed or updated</source>
        <translation><numerusform>%n app installed or updated</numerusform><numerusform>%n apps installed or updated</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/notices.py" line="109" />
        <source>%n update(s) available</source>
        <translation><numerusform>%n update available</numerusform><numerusform>%n updates available</numerusform></translation>
    </message>
</context>
<context>
    <name>WalletPage</name>
    <message numerus="yes">
        <location filename="../../ui/walletpage.py" line="266" />
        <source>%n claim(s) waiting for the store's service</source>
        <translation><numerusform>%n claim waiting for the store's service</numerusform><numerusform>%n claims waiting for the store's service</numerusform></translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="40" />
        <source>%n byte(s)</source>
        <translation><numerusform>%n byte</numerusform><numerusform>%n bytes</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="49" />
        <source>%n s left</source>
        <translation><numerusform>%n s left</numerusform><numerusform>%n s left</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/texts.py" line="50" />
        <source>%n min left</source>
        <translation><numerusform>%n min left</numerusform><numerusform>%n min left</numerusform></translation>
    </message>
</context>
</TS>