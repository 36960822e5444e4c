// message_text and json_text: what every message and terminal table relies on (issue 10,
// clear messages).
#include <QtTest>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/json_text.h"
#include "common/message_text.h"

using namespace scns;

class TestMessageText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void utf8Validity_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ascii") << QByteArray("plain") << true;
        QTest::newRow("two-byte") << QByteArray("caf\xc3\xa9") << true;
        QTest::newRow("four-byte") << QByteArray("\xf0\x9f\x98\x80") << true;
        QTest::newRow("lone continuation") << QByteArray("a\x80") << false;
        QTest::newRow("latin-1") << QByteArray("caf\xe9") << false;
        QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << false;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
        QTest::newRow("truncated") << QByteArray("\xe2\x82") << false;
    }

    void utf8Validity()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        const std::string s(text.constData(), static_cast<std::size_t>(text.size()));
        QCOMPARE(isValidUtf8(s), valid);
        QVERIFY(isValidUtf8(replaceInvalidUtf8(s)));
        if (valid)
            QCOMPARE(replaceInvalidUtf8(s), s);
    }

    // A run named with terminal escape codes was printed raw by `scns runs`.
    void controlCharactersAreEscaped()
    {
        QCOMPARE(escapeControl("\x1b[2Jgone"), std::string("\\x1b[2Jgone"));
        QCOMPARE(escapeControl("a\nb\tc\\d"), std::string("a\\nb\\tc\\\\d"));
        QCOMPARE(escapeControl("caf\xc3\xa9"), std::string("caf\xc3\xa9"));  // printable UTF-8 stays
        QCOMPARE(escapeControl("\xc2\x9b" "31m"), std::string("\\xc2\\x9b31m"));  // C1 CSI
        QCOMPARE(escapeControl("bad\xff"), std::string("bad\\xff"));
        QCOMPARE(escapeControl(std::string("nul\0x", 5)), std::string("nul\\x00x"));
    }

    void quotedValuesAreCut()
    {
        QCOMPARE(quoteForMessage("short"), std::string("'short'"));
        const std::string huge(100 * 1000 * 1000, 'x');
        const std::string q = quoteForMessage(huge, 80);
        QCOMPARE(q, "'" + std::string(80, 'x') + "...' (100000000 bytes)");
        // Never cut inside a UTF-8 sequence.
        std::string e;
        for (int i = 0; i < 100; ++i)
            e += "\xc3\xa9";
        QVERIFY(isValidUtf8(quoteForMessage(e, 81)));
        QVERIFY(isValidUtf8(truncateForMessage(e, 81)));
    }

    void jsonValuesForMessages()
    {
        nlohmann::json bad = std::string("a\xff" "b");
        QVERIFY_THROWS_EXCEPTION(nlohmann::json::type_error, bad.dump());  // what the landed code hit
        QCOMPARE(jsonForMessage(bad), std::string("\"a\xef\xbf\xbd" "b\""));
        QVERIFY(jsonForMessage(nlohmann::json(std::string(5000, 'y')), 80).size() < 120);
        QVERIFY(QString::fromStdString(jsonForMessage(nlohmann::json(HUGE_VAL))).contains("overflow"));
    }

    void nestingIsCountedOutsideStrings()
    {
        QCOMPARE(jsonNestingDepth("{\"a\": [1, {\"b\": \"[[[[{{{\"}]}", 100), 3);
        QCOMPARE(jsonNestingDepth("{\"a\": \"\\\"[[\"}", 100), 1);
        std::size_t line = 0, column = 0;
        QCOMPARE(jsonNestingDepth("[\n [[[", 2, &line, &column), 3);
        QCOMPARE(line, std::size_t(2));
        QCOMPARE(column, std::size_t(3));
        try {
            parseJsonText(std::string(100000, '[') + std::string(100000, ']'), "deep.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("deep.json = (file contents): expected JSON nested at most 64 "
                                                          "levels deep, found more than 64 levels at line 1, column 65"),
                     e.what());
        }
        QCOMPARE(parseJsonText("[[1]]", "ok.json"), nlohmann::json::parse("[[1]]"));
    }

    void overflowingNumbersNameTheirPath()
    {
        try {
            parseJsonText("{\"students\": [{\"label\": \"a\"}, {\"optim\": {\"lr\": -1e999}}]}", "x.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("x.json: students[1].optim.lr = -1e999: expected a number within "
                                                          "the range of a double (the number overflows)"),
                     e.what());
        }
    }

    void countsTakeTheirNounsNumber()
    {
        QCOMPARE(counted(1, "run", "runs"), std::string("1 run"));
        QCOMPARE(counted(0, "run", "runs"), std::string("0 runs"));
        QCOMPARE(counted(2, "task", "tasks"), std::string("2 tasks"));
        QCOMPARE(counted(-1, "run", "runs"), std::string("-1 runs"));
    }
};

QTEST_GUILESS_MAIN(TestMessageText)
#include "test_message_text.moc"
