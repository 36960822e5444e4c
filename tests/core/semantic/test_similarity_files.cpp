// The `file` class-similarity inputs: C x C CSV matrices and word-vector text files.
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

#include "common/errors.h"
#include "semantic/similarity_csv.h"
#include "semantic/word_vectors.h"

using namespace scns;

namespace {

const std::vector<std::string> abc{"a", "b", "c"};
const std::vector<double> abcMatrix{1, 0.5, 0.25, 0.5, 1, -0.125, 0.25, -0.125, 1};

std::string write(const QTemporaryDir& dir, const QString& name, const std::string& text)
{
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

template <typename F>
QString dataErrorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return "(no DataError)";
}

}  // namespace

class TestSimilarityFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void csvGood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("plain") << "1,0.5,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n";
        QTest::newRow("header row") << "a,b,c\n1,0.5,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n";
        QTest::newRow("header row and column") << ",a,b,c\na,1,0.5,0.25\nb,0.5,1,-0.125\nc,0.25,-0.125,1\n";
        QTest::newRow("header column only") << "a,1,0.5,0.25\nb,0.5,1,-0.125\nc,0.25,-0.125,1\n";
        QTest::newRow("quotes spaces blank lines crlf")
            << "\"class\", \"a\" ,\"b\",c\r\n\r\n\"a\",1, 0.5 ,2.5e-1\r\nb,0.5,1,-0.125\r\nc,+0.25,-0.125,1\r\n\n";
        QTest::newRow("asymmetry within 1e-6") << "1,0.5000004,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n";
    }
    void csvGood()
    {
        QFETCH(QString, text);
        QTemporaryDir dir;
        const auto m = readSimilarityCsv(write(dir, "s.csv", text.toStdString()), abc);
        QCOMPARE(int(m.size()), 9);
        for (std::size_t i = 0; i < 9; ++i)
            QVERIFY2(std::abs(m[i] - abcMatrix[i]) < 1e-6, qPrintable(QString::number(i)));
    }

    void csvBad_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("too few rows") << "1,0.5,0.25\n0.5,1,-0.125\n" << "expected 3 data rows";
        QTest::newRow("too many rows") << "1,0,0\n0,1,0\n0,0,1\n0,0,0\n" << "found 4";
        QTest::newRow("short row") << "1,0.5,0.25\n0.5,1\n0.25,-0.125,1\n" << "line 2: expected 3 numbers";
        QTest::newRow("long row") << "1,0.5,0.25\n0.5,1,-0.125,7\n0.25,-0.125,1\n" << "line 2: expected 3 numbers";
        QTest::newRow("text cell") << "1,0.5,0.25\n0.5,1,x\n0.25,-0.125,1\n" << "line 2, column 3: expected a finite number, found 'x'";
        QTest::newRow("empty cell") << "1,,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n" << "line 1, column 2";
        QTest::newRow("nan") << "1,0.5,0.25\n0.5,nan,-0.125\n0.25,-0.125,1\n" << "line 2, column 2";
        QTest::newRow("header name") << "a,B,c\n1,0.5,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n"
                                     << "line 1, column 2: expected class 'b', found 'B'";
        QTest::newRow("header column name") << ",a,b,c\na,1,0.5,0.25\nc,0.5,1,-0.125\nc,0.25,-0.125,1\n"
                                            << "line 3, column 1: expected class 'b'";
        QTest::newRow("short header") << "a,b\n1,0.5,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n" << "header of 3 class names";
        QTest::newRow("asymmetric") << "1,0.6,0.25\n0.5,1,-0.125\n0.25,-0.125,1\n" << "symmetric";
        QTest::newRow("empty file") << "\n\n" << "no rows";
        // Issue 10: values beyond a double, NaN and infinity named; huge lines and endless
        // rows stop early.
        QTest::newRow("overflow") << "1,0.5,0.25\n0.5,1e999,-0.125\n0.25,-0.125,1\n"
                                  << "line 2, column 2: expected a finite number, found '1e999' (beyond the range of a double)";
        QTest::newRow("infinity") << "1,0.5,0.25\n0.5,-inf,-0.125\n0.25,-0.125,1\n" << "found '-inf' (infinite)";
        QTest::newRow("nan named") << "1,0.5,0.25\n0.5,nan,-0.125\n0.25,-0.125,1\n" << "found 'nan' (NaN)";
        QTest::newRow("huge line") << "1,0.5,0.25\n" + QString(20 << 20, 'x') + "\n0.25,-0.125,1\n"
                                   << "bad.csv:2: line longer than 8192 bytes";
        QString endless;
        for (int i = 0; i < 100000; ++i)
            endless += "1,0,0\n";
        QTest::newRow("endless rows") << endless << "expected 3 data rows (one per class), found more than 5";
        QTest::newRow("huge cell echoed short") << "1,0.5,0.25\n0.5,1," + QString(6000, 'y') + "\n0.25,-0.125,1\n"
                                                << "yyy...' (6000 bytes)";
    }
    void csvBad()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const auto path = write(dir, "bad.csv", text.toStdString());
        const QString what = dataErrorOf([&] { readSimilarityCsv(path, abc); });
        QVERIFY2(what.contains("bad.csv") && what.contains(mentions), qPrintable(what));
    }

    void csvMissingFile()
    {
        const QString what = dataErrorOf([] { readSimilarityCsv("/nonexistent/s.csv", abc); });
        QVERIFY2(what.contains("/nonexistent/s.csv"), qPrintable(what));
    }

    void classNameWords_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("slash and dash") << "T-shirt/top" << QStringList{"t", "shirt", "top"};
        QTest::newRow("space") << "Ankle boot" << QStringList{"ankle", "boot"};
        QTest::newRow("underscore") << "aquarium_fish" << QStringList{"aquarium", "fish"};
        QTest::newRow("edges") << " -cat- " << QStringList{"cat"};
    }
    void classNameWords()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, words);
        QStringList got;
        for (const auto& w : scns::classNameWords(name.toStdString()))
            got << QString::fromStdString(w);
        QCOMPARE(got, words);
    }

    void wordVectorsAveraged_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("glove (no header)") << "";
        QTest::newRow("word2vec header") << "5 2\n";
    }
    void wordVectorsAveraged()
    {
        QFETCH(QString, header);
        QTemporaryDir dir;
        // Upper-case file words match; the first occurrence of a word wins; "new york" has a
        // space inside the word (GloVe 840B style) and is read as one word.
        const auto path = write(dir, "v.txt", header.toStdString()
                                                  + "Shirt 1 2\nt 3 -4\ntop 5 0.5\nshirt 100 100\nnew york 7 8\n");
        const auto v = classWordVectors(path, {"T-shirt/top", "shirt", "top"});
        QCOMPARE(int(v.size()), 3);
        QCOMPARE(v[0], (std::vector<float>{3.0f, -0.5f}));  // mean of t, shirt, top
        QCOMPARE(v[1], (std::vector<float>{1.0f, 2.0f}));
        QCOMPARE(v[2], (std::vector<float>{5.0f, 0.5f}));
        const auto wv = readWordVectors(path, {"new york"});
        QCOMPARE(wv.vectors.at("new york"), (std::vector<float>{7.0f, 8.0f}));
    }

    void partlyKnownClassUsesFoundWords()
    {
        QTemporaryDir dir;
        const auto path = write(dir, "v.txt", "boot 1 3\n");
        QCOMPARE(classWordVectors(path, {"Ankle boot"}).front(), (std::vector<float>{1.0f, 3.0f}));
    }

    void classWithoutAnyWordIsNamed()
    {
        QTemporaryDir dir;
        const auto path = write(dir, "v.txt", "cat 1 0\ndog 0 1\n");
        const QString what = dataErrorOf([&] { classWordVectors(path, {"cat", "aquarium_fish", "dog", "Ankle boot"}); });
        QVERIFY2(what.contains("v.txt") && what.contains("'aquarium_fish' (words: aquarium, fish)")
                     && what.contains("'Ankle boot' (words: ankle, boot)") && !what.contains("'cat'"),
                 qPrintable(what));
    }

    void badWordVectorLines_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("short line") << "cat 1 2 3\ndog 1 2\n" << "v.txt:2: expected a word and 3 numbers";
        QTest::newRow("short for header") << "2 3\ncat 1 2\n" << "v.txt:2";
        QTest::newRow("bad number") << "cat 1 2\ndog 1 x\n" << "v.txt:2: expected a number in field 3, found 'x'";
        // Issue 10: NaN, infinity and overflow named; sizes checked before use.
        QTest::newRow("nan value") << "cat 1 2\ndog 1 nan\n" << "v.txt:2: expected a finite number in field 3 (vector of 'dog'), found 'nan'";
        QTest::newRow("inf value") << "cat inf 2\ndog 1 2\n" << "v.txt:1: expected a finite number in field 2";
        QTest::newRow("float overflow") << "cat 1e999 2\ndog 1 2\n" << "within the range of a float, found '1e999' (overflow)";
        QTest::newRow("huge header dim") << "2 99999999999\ncat 1 2\n" << "v.txt:1: expected a word2vec header \"count dim\" with dim in [1, 65536], found dim 99999999999";
        QTest::newRow("header dim wrapping around") << "2 18446744073709551615\ncat 1\n" << "found dim 18446744073709551615";
        QTest::newRow("huge line") << "cat " + QString("1 ").repeated(3 << 20) + "\n" << "v.txt:1: line longer than 4194304 bytes";
    }
    void badWordVectorLines()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const auto path = write(dir, "v.txt", text.toStdString());
        const QString what = dataErrorOf([&] { classWordVectors(path, {"cat", "dog"}); });
        QVERIFY2(what.contains(mentions), qPrintable(what));
    }
};

QTEST_GUILESS_MAIN(TestSimilarityFiles)
#include "test_similarity_files.moc"
