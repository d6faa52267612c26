<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>DiscoverPage</name>
    <message numerus="yes">
        <location filename="../../appstore/ui/discover.py" line="241" />
        <source>%n app(s)</source>
        <translation><numerusform>%n app</numerusform><numerusform>%n apps</numerusform></translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message numerus="yes">
        <location filename="../../appstore/ui/texts.py" line="30" />
        <source>%n byte(s)</source>
        <translation><numerusform>%n byte</numerusform><numerusform>%n bytes</numerusform></translation>
    </message>
</context>
</TS>