<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt's own words that PySide6's qtbase_zh_CN.qm lacks: Qt 6.9+ added mnemonics to these
     file dialog labels, the shipped catalogue still has them without. Written by hand;
     tests/gui/test_no_english.py finds the next one. -->
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
