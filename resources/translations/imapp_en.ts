<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>DiscoverPage</name>
    <message numerus="yes">
        <location filename="../../appstore/ui/discover.py" line="184" />
        <source>%n app(s)</source>
        <translation><numerusform>%n app</numerusform><numerusform>%n apps</numerusform></translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="29" />
        <source>%n byte(s)</source>
        <translation><numerusform>%n byte</numerusform><numerusform>%n bytes</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="38" />
        <source>%n minute(s) ago</source>
        <translation><numerusform>%n minute ago</numerusform><numerusform>%n minutes ago</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="40" />
        <source>%n hour(s) ago</source>
        <translation><numerusform>%n hour ago</numerusform><numerusform>%n hours ago</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="41" />
        <source>%n day(s) ago</source>
        <translation><numerusform>%n day ago</numerusform><numerusform>%n days ago</numerusform></translation>
    </message>
</context>
</TS>