// Seeds and grids: parsing the launch bar's text and expanding one config into many.
#include <QtTest>

#include <set>
#include <tuple>

#include "common/errors.h"
#include "train/launch_plan.h"

using namespace scns;

class TestUiLaunchPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesSeedLists_data();
    void parsesSeedLists();
    void rejectsBadSeeds_data();
    void rejectsBadSeeds();
    void parsesGrid();
    void rejectsBadGrid();
    void expandsCartesianProduct();
    void unnamedRunsAreNamedByTheirGridValues();
    void gridKeyOfASwitchedOffSectionIsAnError();
    void typoInGridKeyIsReported();
    void refusesHugeLaunch();
};

void TestUiLaunchPlan::parsesSeedLists_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qulonglong>>("seeds");
    QTest::newRow("empty") << "" << QList<qulonglong>{};
    QTest::newRow("one") << "7" << QList<qulonglong>{7};
    QTest::newRow("range") << "0-3" << QList<qulonglong>{0, 1, 2, 3};
    QTest::newRow("mixed") << " 1, 5-6 ,9" << QList<qulonglong>{1, 5, 6, 9};
}

void TestUiLaunchPlan::parsesSeedLists()
{
    QFETCH(QString, text);
    QFETCH(QList<qulonglong>, seeds);
    const auto got = parseSeedList(text.toStdString());
    QCOMPARE(QList<qulonglong>(got.begin(), got.end()), seeds);
}

void TestUiLaunchPlan::rejectsBadSeeds_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("word") << "abc";
    QTest::newRow("negative") << "-1";
    QTest::newRow("reversed") << "5-2";
    QTest::newRow("too long") << "0-100000";
}

void TestUiLaunchPlan::rejectsBadSeeds()
{
    QFETCH(QString, text);
    try {
        parseSeedList(text.toStdString());
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        QCOMPARE(e.problems().front().field, std::string("seeds"));
    }
}

void TestUiLaunchPlan::parsesGrid()
{
    const auto axes = parseGrid(" optim.lr = 0.1, 0.2 ; contrastive.sampler=class,uniform;");
    QCOMPARE(axes.size(), std::size_t{2});
    QCOMPARE(axes[0].key, std::string("optim.lr"));
    QCOMPARE(axes[0].values, (std::vector<std::string>{"0.1", "0.2"}));
    QCOMPARE(axes[1].values, (std::vector<std::string>{"class", "uniform"}));
}

void TestUiLaunchPlan::rejectsBadGrid()
{
    for (const char* text : {"optim.lr", "=1,2", "optim.lr="})
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseGrid(std::string(text)));
}

void TestUiLaunchPlan::expandsCartesianProduct()
{
    RunConfig base;
    base.name = "g";
    base.contrastive.enabled = true;
    const auto configs = expandLaunch(base, {1, 2},
                                      {{"contrastive.sampler", {"class", "instance"}}, {"contrastive.class.k", {"2", "4"}}});
    // class.k does not apply to the instance sampler: its points keep the default k, leave k
    // out of the name and are launched once, so 2 seeds x (class k=2, class k=4, instance).
    QCOMPARE(configs.size(), std::size_t{6});
    std::set<std::tuple<std::uint64_t, std::string, std::int64_t>> points;
    std::set<std::string> names;
    for (const auto& c : configs) {
        points.insert({c.seed, toString(c.contrastive.sampler), c.contrastive.classK});
        names.insert(c.name);
    }
    QCOMPARE(points.size(), std::size_t{6});
    QCOMPARE(names.size(), std::size_t{6});
    QVERIFY(points.count({2, "class", 4}));
    QVERIFY(points.count({2, "instance", RunConfig{}.contrastive.classK}));
    QVERIFY(names.count("g-contrastive.sampler=class-contrastive.class.k=4-seed2"));
    QVERIFY(names.count("g-contrastive.sampler=instance-seed1"));
    // Without a name and with one point, the config is unchanged.
    const auto single = expandLaunch(RunConfig{}, {}, {});
    QCOMPARE(single.size(), std::size_t{1});
    QCOMPARE(toJsonText(single.front()), toJsonText(RunConfig{}));
}

void TestUiLaunchPlan::unnamedRunsAreNamedByTheirGridValues()
{
    const auto configs = expandLaunch(RunConfig{}, {}, {{"optim.lr", {"0.1", "0.2"}}});
    QCOMPARE(configs.size(), std::size_t{2});
    QCOMPARE(configs[0].name, std::string("fashion-mnist-small-cnn-optim.lr=0.1-seed0"));
    QCOMPARE(configs[1].name, std::string("fashion-mnist-small-cnn-optim.lr=0.2-seed0"));
    QCOMPARE(describeVariation({}, {{"optim.lr", {"0.1", "0.2"}}}), std::string("optim.lr (0.1, 0.2)"));
    QCOMPARE(describeVariation({0, 1, 2, 3, 4, 5, 6, 7, 8}, {{"epochs", {"1"}}}),
             std::string("9 seeds (0, 1, 2, 3, 4, 5, 6, 7, ...)"));
}

void TestUiLaunchPlan::gridKeyOfASwitchedOffSectionIsAnError()
{
    // The contrastive term is off by default: a sampler grid would launch identical runs.
    try {
        expandLaunch(RunConfig{}, {0, 1}, {{"contrastive.sampler", {"class", "instance"}}});
        QFAIL("a grid over a switched-off section was accepted");
    } catch (const ConfigError& e) {
        QCOMPARE(e.problems().size(), std::size_t{1});
        QCOMPARE(e.problems().front().field, std::string("grid"));
        QVERIFY2(QString::fromStdString(e.problems().front().expected).contains("only when contrastive.enabled"),
                 e.what());
    }
    // The same grid with the term on: two samplers x two seeds.
    RunConfig on;
    on.contrastive.enabled = true;
    QCOMPARE(expandLaunch(on, {0, 1}, {{"contrastive.sampler", {"class", "instance"}}}).size(), std::size_t{4});
}

void TestUiLaunchPlan::typoInGridKeyIsReported()
{
    try {
        expandLaunch(RunConfig{}, {}, {{"optim.learning_rate", {"0.1"}}});
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        QCOMPARE(e.problems().front().field, std::string("optim.learning_rate"));
        QVERIFY(QString::fromStdString(e.problems().front().expected).contains("typo"));
    }
}

void TestUiLaunchPlan::refusesHugeLaunch()
{
    std::vector<std::string> many;
    for (int i = 0; i < 30; ++i)
        many.push_back(std::to_string(i + 1));
    QVERIFY_THROWS_EXCEPTION(ConfigError,
                             expandLaunch(RunConfig{}, {}, {{"epochs", many}, {"batch_size", many}}));
}

QTEST_MAIN(TestUiLaunchPlan)
#include "test_ui_launch_plan.moc"
