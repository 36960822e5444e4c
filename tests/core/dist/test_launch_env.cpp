// The launch environment: torchrun's variables, srun's, the master from the Slurm node list,
// and a clear error naming the variable for each malformed value.
#include <QTest>

#include <map>
#include <string>

#include "common/errors.h"
#include "dist/launch_env.h"

using namespace scns;

namespace {

std::optional<DistributedEnv> envOf(const std::map<std::string, std::string>& vars)
{
    return distributedEnvFromEnvironment([&vars](const char* name) -> const char* {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    });
}

QString errorOf(const std::map<std::string, std::string>& vars)
{
    try {
        envOf(vars);
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestLaunchEnv : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noLauncherMeansOneProcess()
    {
        QVERIFY(!envOf({}).has_value());
        QVERIFY(!envOf({{"WORLD_SIZE", "1"}, {"RANK", "0"}}).has_value());
    }

    void torchrunVariables()
    {
        const auto env = envOf({{"WORLD_SIZE", "4"},
                                {"RANK", "3"},
                                {"LOCAL_RANK", "1"},
                                {"MASTER_ADDR", "10.0.0.5"},
                                {"MASTER_PORT", "29400"}});
        QVERIFY(env);
        QCOMPARE(env->worldSize, 4);
        QCOMPARE(env->rank, 3);
        QCOMPARE(env->localRank, 1);
        QCOMPARE(env->masterAddr, std::string("10.0.0.5"));
        QCOMPARE(env->masterPort, 29400);
        QCOMPARE(env->source, std::string("torchrun"));
        const auto defaults = envOf({{"WORLD_SIZE", "2"}, {"RANK", "1"}});
        QCOMPARE(defaults->masterAddr, std::string("127.0.0.1"));
        QCOMPARE(defaults->masterPort, kDefaultMasterPort);
    }

    void srunVariables()
    {
        const auto env = envOf({{"SLURM_NTASKS", "8"},
                                {"SLURM_PROCID", "5"},
                                {"SLURM_LOCALID", "1"},
                                {"SLURM_JOB_NODELIST", "gpu[07-10],cpu3"}});
        QVERIFY(env);
        QCOMPARE(env->worldSize, 8);
        QCOMPARE(env->rank, 5);
        QCOMPARE(env->localRank, 1);
        QCOMPARE(env->masterAddr, std::string("gpu07"));
        QCOMPARE(env->source, std::string("slurm"));
        // torchrun's variables win over srun's, and MASTER_ADDR over the node list.
        const auto both = envOf({{"SLURM_NTASKS", "8"},
                                 {"SLURM_PROCID", "5"},
                                 {"SLURM_JOB_NODELIST", "n[1-2]"},
                                 {"WORLD_SIZE", "2"},
                                 {"RANK", "0"},
                                 {"MASTER_ADDR", "head"}});
        QCOMPARE(both->worldSize, 2);
        QCOMPARE(both->masterAddr, std::string("head"));
    }

    void slurmNodeLists()
    {
        QCOMPARE(firstSlurmHost("node01"), std::string("node01"));
        QCOMPARE(firstSlurmHost("a,b,c"), std::string("a"));
        QCOMPARE(firstSlurmHost("node[03-05,9],gpu1"), std::string("node03"));
        QCOMPARE(firstSlurmHost("x[7,1-3]"), std::string("x7"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, firstSlurmHost("node[1-3"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, firstSlurmHost(""));
        QVERIFY_THROWS_EXCEPTION(ConfigError, firstSlurmHost("a]b"));
    }

    void malformedValuesNameTheVariable_data()
    {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("rank too large") << "RANK"
                                        << "2"
                                        << "[0, 2)";
        QTest::newRow("rank not a number") << "RANK"
                                           << "one"
                                           << "[0, 2)";
        QTest::newRow("world size 0") << "WORLD_SIZE"
                                      << "0"
                                      << ">= 1";
        QTest::newRow("port out of range") << "MASTER_PORT"
                                           << "70000"
                                           << "[1, 65535]";
        QTest::newRow("negative local rank") << "LOCAL_RANK"
                                             << "-1"
                                             << ">= 0";
    }
    void malformedValuesNameTheVariable()
    {
        QFETCH(QString, variable);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        std::map<std::string, std::string> vars = {{"WORLD_SIZE", "2"}, {"RANK", "1"}};
        vars[variable.toStdString()] = value.toStdString();
        const QString message = errorOf(vars);
        QVERIFY2(message.contains(variable) && message.contains(value) && message.contains(expected),
                 qPrintable(message));
    }

    // A master that does not resolve is named at once (getaddrinfo), not after every rank has
    // retried for distributed.timeout; ".invalid" never resolves (RFC 6761).
    void aMasterThatDoesNotResolveIsNamed()
    {
        for (const char* host : {"127.0.0.1", "localhost"}) {
            const auto env = envOf({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", host}});
            checkMasterAddressResolves(*env);
        }
        const auto message = [](const DistributedEnv& env) {
            try {
                checkMasterAddressResolves(env);
            } catch (const ConfigError& e) {
                return QString::fromStdString(e.what());
            }
            return QString();
        };
        const auto torchrun =
            message(*envOf({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "no-such-host.invalid"}}));
        QVERIFY2(torchrun.contains("MASTER_ADDR = no-such-host.invalid") && torchrun.contains("resolver said"),
                 qPrintable(torchrun));
        const auto slurm = message(
            *envOf({{"SLURM_NTASKS", "2"}, {"SLURM_PROCID", "1"}, {"SLURM_JOB_NODELIST", "nosuch.invalid,node2"}}));
        QVERIFY2(slurm.contains("SLURM_JOB_NODELIST (its first host) = nosuch.invalid")
                     && slurm.contains("MASTER_ADDR"),
                 qPrintable(slurm));
    }

    void halfALaunchIsAnError()
    {
        QVERIFY2(errorOf({{"RANK", "0"}}).contains("WORLD_SIZE"), qPrintable(errorOf({{"RANK", "0"}})));
        QVERIFY(errorOf({{"WORLD_SIZE", "2"}}).contains("RANK"));
        QVERIFY(errorOf({{"SLURM_NTASKS", "2"}}).contains("SLURM_PROCID"));
    }
};

QTEST_GUILESS_MAIN(TestLaunchEnv)
#include "test_launch_env.moc"
