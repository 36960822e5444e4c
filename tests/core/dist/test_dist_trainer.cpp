// The trainer as a data-parallel run: two copies of this program train as ranks 0 and 1 over
// loopback (c10d's TCPStore and ProcessGroupGloo), each with train() and its shard of every
// global batch, and write their checkpoints (TrainRequest::checkpointEveryReplica).
//  - small-cnn-gn (no batch statistics) trained by 2 ranks with global batch B ends with the
//    same parameters on both ranks and within float tolerance of the same run in one process
//    with batch B; so do the epoch's recorded losses and accuracies.
//  - With distributed.sync_batchnorm, small-cnn (batch norm) trained by 2 ranks equals one
//    process too, running statistics included; without it (per-replica statistics) it does not.
//  - CRD distillation with a class sampler and both memory banks finishes on 2 ranks, and the
//    two ranks' heads, banks and NCE normalisers are identical after their updates.
//  - The instance sampler's top-k table, built by rank 0 from the reference outputs gathered to
//    it and broadcast, serves both ranks over two refreshes; the banks stay identical.
//  - Each rank draws its negatives from a stream of its own; rank 0's is one process's.
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>

#include <torch/optim/sgd.h>

#include "common/errors.h"
#include "dist/process_group.h"
#include "dist_ranks.h"
#include "io/torch_file.h"
#include "models/registry.h"
#include "train/checkpoint.h"
#include "train/seed_streams.h"
#include "train/trainer.h"

using namespace scns;

namespace {

constexpr int kWorld = 2;

// A small run: 20 training images per class of the embedded Fashion-MNIST, no augmentation.
RunConfig plainConfig()
{
    RunConfig c;
    c.arch = "small-cnn-gn";
    c.epochs = 2;
    c.batchSize = 32;
    c.evalBatchSize = 64;
    c.data.trainPerClass = 20;
    c.data.testPerClass = 10;
    c.threads = 1;
    c.seed = 5;
    c.optim.lr = 0.05;
    return c;
}

// small-cnn (batch norm), its statistics over the global batch or each rank's share.
RunConfig batchNormConfig(bool sync)
{
    RunConfig c = plainConfig();
    c.arch = "small-cnn";
    c.distributed.syncBatchNorm = sync;
    // Four steps: batch norm divides by each channel's spread, so the float rounding of two
    // processes (3e-7 after one step) grows fast with lr 0.05 (4e-4 after seven steps).
    c.epochs = 1;
    c.data.trainPerClass = 10;
    return c;
}

// CRD from the plain run's teacher, class sampler over the teacher's visual class similarity
// (rank 0 builds it and broadcasts it), both banks.
RunConfig crdConfig(const std::string& teacher)
{
    RunConfig c = plainConfig();
    c.arch = "small-cnn";  // batch norm per replica, as DDP: the run must finish, not equal
    c.distill.method = DistillMethod::Crd;
    c.distill.teacherWeights = teacher;
    c.distill.teacherArch = "small-cnn-gn";
    c.contrastive.enabled = true;
    c.contrastive.sampler = SamplerKind::Class;
    c.contrastive.similarity = ClassSimilaritySource::Visual;
    c.contrastive.negatives = 64;
    c.contrastive.objective = Objective::Nce;  // CRD's NCE form: its normalisers must agree too
    return c;
}

// InfoNCE with the instance sampler: the model's reference outputs are gathered to rank 0, which
// builds the top-k table at each epoch's refresh and broadcasts it.
RunConfig instanceConfig()
{
    RunConfig c = plainConfig();
    c.contrastive.enabled = true;
    c.contrastive.sampler = SamplerKind::Instance;
    c.contrastive.instanceK = 16;
    c.contrastive.negatives = 64;
    return c;
}

class Keeper final : public RunRecorder {
public:
    void metric(std::int64_t, std::int64_t, const std::string&, double) override {}
    void flush() override {}
    void checkpoint(std::int64_t, const std::string&) override {}
};

RunResult trainInto(RunConfig config, const std::filesystem::path& dir, ReplicaGroup* group)
{
    config.distributed.processes = group ? group->worldSize() : 1;
    config.validate();
    TrainRequest request;
    request.config = config;
    request.runId = 1;
    request.checkpointDir = dir;
    request.group = group;
    request.localProcesses = group ? group->worldSize() : 1;
    request.localRank = group ? group->rank() : 0;
    request.checkpointEveryReplica = true;
    TrainingObserver quiet;
    Keeper recorder;
    return train(request, quiet, recorder, {});
}

// The tensors of a checkpoint: the model's state dict and the contrastive extras.
std::map<std::string, at::Tensor> checkpointTensors(const std::filesystem::path& file, const std::string& arch,
                                                    bool contrastive = false)
{
    auto net = buildNetwork({arch, 10, 1});
    torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    std::map<std::string, at::Tensor> out;
    const LoadExtra extras = [&](const TorchValue& extra, const std::string&) {
        for (const char* key : {"memory_bank", "teacher_memory_bank"})
            if (const TorchValue* v = extra.find(key))
                out[key] = v->tensor;
        for (const char* key : {"nce_z", "teacher_nce_z"})
            if (const TorchValue* v = extra.find(key); v && v->number())
                out[key] = at::tensor({*v->number()}, at::kDouble);
        for (const char* key : {"head", "teacher_head"})
            if (const TorchValue* v = extra.find(key))
                for (const auto& [name, t] : flattenTensors(*v))
                    out[std::string(key) + "." + name] = t;
    };
    loadCheckpoint(file, arch, *net, sgd, contrastive ? extras : LoadExtra{});
    for (const auto& item : net->named_parameters())
        out["model." + item.key()] = item.value().detach().clone();
    for (const auto& item : net->named_buffers())
        out["model." + item.key()] = item.value().detach().clone();
    return out;
}

// --- a rank (a copy of this program) --------------------------------------------------------
int runRank(const std::string& role)
{
    try {
        const auto env = distributedEnvFromEnvironment();
        if (!env)
            return 2;
        DistributedContext group(*env, std::chrono::seconds(60));
        const std::filesystem::path dir =
            std::string(std::getenv("SCNS_DIST_TEST_DIR")) + "/rank" + std::to_string(env->rank);
        const RunConfig config = role == "crd" ? crdConfig(std::getenv("SCNS_DIST_TEST_TEACHER"))
            : role == "syncbn"                 ? batchNormConfig(true)
            : role == "localbn"                ? batchNormConfig(false)
            : role == "instance"               ? instanceConfig()
                                               : plainConfig();
        const RunResult r = trainInto(config, dir, &group);
        if (r.outcome != RunOutcome::Finished || !r.last) {
            std::cerr << "rank " << env->rank << ": " << r.message << '\n';
            return 4;
        }
        std::ofstream(dir / "summary.txt") << r.last->trainLoss << ' ' << r.last->trainTop1 << ' ' << r.last->testLoss
                                           << ' ' << r.last->testTop1 << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 3;
    }
}

std::vector<double> readSummary(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::vector<double> v(4, -1);
    for (double& x : v)
        in >> x;
    return v;
}

}  // namespace

class TestDistTrainer : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    void runRanks(const QString& role)
    {
        auto ranks = test::startRanks(kWorld, [&](int, QProcessEnvironment& env) {
            env.insert("SCNS_DIST_TEST_ROLE", role);
            env.insert("SCNS_DIST_TEST_DIR", m_dir.filePath(role));
            env.insert("SCNS_DIST_TEST_TEACHER", m_dir.filePath("one/epoch-2.pt"));
        });
        for (int r = 0; r < kWorld; ++r) {
            QVERIFY2(ranks[r]->waitForFinished(240000), "a rank did not finish in 240 s");
            QVERIFY2(ranks[r]->exitStatus() == QProcess::NormalExit && ranks[r]->exitCode() == 0,
                     qPrintable(QStringLiteral("rank %1 exit %2: %3")
                                    .arg(r)
                                    .arg(ranks[r]->exitCode())
                                    .arg(QString::fromLocal8Bit(ranks[r]->readAll()))));
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void twoRanksTrainAsOneProcessWithTheGlobalBatch()
    {
        const RunResult one = trainInto(plainConfig(), m_dir.filePath("one").toStdString(), nullptr);
        QCOMPARE(int(one.outcome), int(RunOutcome::Finished));
        runRanks("plain");
        if (QTest::currentTestFailed())
            return;
        const std::string base = m_dir.filePath("plain").toStdString();
        const auto alone = checkpointTensors(m_dir.filePath("one/epoch-2.pt").toStdString(), "small-cnn-gn");
        const auto r0 = checkpointTensors(base + "/rank0/epoch-2.pt", "small-cnn-gn");
        const auto r1 = checkpointTensors(base + "/rank1/epoch-2.pt", "small-cnn-gn");
        QCOMPARE(r0.size(), alone.size());
        double largest = 0;
        for (const auto& [name, t] : alone) {
            QVERIFY2(at::equal(r0.at(name), r1.at(name)), name.c_str());
            largest = std::max(largest, (r0.at(name) - t).abs().max().item<double>());
        }
        QVERIFY2(largest < 1e-4, qPrintable(QStringLiteral("largest difference to one process: %1").arg(largest)));
        // Training moved the weights away from their initial values (the run's seed, 5).
        torch::manual_seed(5);
        const auto start = buildNetwork({"small-cnn-gn", 10, 1});
        QVERIFY((alone.at("model.fc.weight") - start->named_parameters()["fc.weight"]).abs().max().item<double>()
                > 1e-3);
        // The epoch's reduced metrics are those of one process.
        const auto s = readSummary(base + "/rank0/summary.txt");
        QVERIFY(one.last.has_value());
        QVERIFY2(std::abs(s[0] - one.last->trainLoss) < 1e-4, qPrintable(QString::number(s[0] - one.last->trainLoss)));
        QCOMPARE(s[1], one.last->trainTop1);
        QVERIFY(std::abs(s[2] - one.last->testLoss) < 1e-4);
        QCOMPARE(s[3], one.last->testTop1);
    }

    // Sync batch norm: the batch statistics of the global batch, so 2 ranks train as one process
    // (running statistics included); per-replica batch norm does not.
    void syncBatchNormTrainsAsOneProcessWithTheGlobalBatch()
    {
        const RunResult one = trainInto(batchNormConfig(false), m_dir.filePath("onebn").toStdString(), nullptr);
        QCOMPARE(int(one.outcome), int(RunOutcome::Finished));
        runRanks("syncbn");
        runRanks("localbn");
        if (QTest::currentTestFailed())
            return;
        const auto alone =
            checkpointTensors(m_dir.filePath(QStringLiteral("onebn/epoch-1.pt")).toStdString(), "small-cnn");
        const auto largestDifference = [&](const QString& role) {
            const auto r0 = checkpointTensors(m_dir.filePath(role + QStringLiteral("/rank0/epoch-1.pt")).toStdString(),
                                              "small-cnn");
            const auto r1 = checkpointTensors(m_dir.filePath(role + QStringLiteral("/rank1/epoch-1.pt")).toStdString(),
                                              "small-cnn");
            double largest = 0;
            for (const auto& [name, t] : alone) {
                if (!at::equal(r0.at(name), r1.at(name)))
                    return std::numeric_limits<double>::infinity();
                largest = std::max(largest, (r0.at(name) - t).abs().max().item<double>());
            }
            return largest;
        };
        QVERIFY(alone.count("model.features.1.running_var"));
        const double synced = largestDifference("syncbn"), local = largestDifference("localbn");
        QVERIFY2(synced < 1e-4, qPrintable(QStringLiteral("sync batch norm: %1 from one process").arg(synced)));
        QVERIFY2(local > 1e-3, qPrintable(QStringLiteral("per-replica batch norm: %1 from one process").arg(local)));
        const auto s = readSummary(m_dir.filePath("syncbn/rank0/summary.txt").toStdString());
        QVERIFY2(std::abs(s[0] - one.last->trainLoss) < 1e-4, qPrintable(QString::number(s[0] - one.last->trainLoss)));
    }

    void crdWithAClassSamplerKeepsTheBanksEqual()
    {
        QVERIFY2(QFile::exists(m_dir.filePath("one/epoch-2.pt")), "the teacher of the first test is missing");
        runRanks("crd");
        if (QTest::currentTestFailed())
            return;
        const std::string base = m_dir.filePath("crd").toStdString();
        const auto r0 = checkpointTensors(base + "/rank0/epoch-2.pt", "small-cnn", true);
        const auto r1 = checkpointTensors(base + "/rank1/epoch-2.pt", "small-cnn", true);
        for (const char* key : {"memory_bank", "teacher_memory_bank", "nce_z", "teacher_nce_z"}) {
            QVERIFY2(r0.count(key) && r1.count(key), key);
            QVERIFY2(at::equal(r0.at(key), r1.at(key)), key);
        }
        int heads = 0;
        for (const auto& [name, t] : r0)
            if (name.rfind("head.", 0) == 0 || name.rfind("teacher_head.", 0) == 0) {
                QVERIFY2(at::equal(t, r1.at(name)), name.c_str());
                ++heads;
            }
        QVERIFY(heads >= 4);  // both heads' weights and biases
        // The banks were written by training (not their random start only): rows have unit norm
        // and the two banks differ.
        QVERIFY(!at::equal(r0.at("memory_bank"), r0.at("teacher_memory_bank")));
    }

    void instanceSamplerServesBothRanksFromRankZerosTable()
    {
        runRanks("instance");
        if (QTest::currentTestFailed())
            return;
        const std::string base = m_dir.filePath("instance").toStdString();
        const auto r0 = checkpointTensors(base + "/rank0/epoch-2.pt", "small-cnn-gn", true);
        const auto r1 = checkpointTensors(base + "/rank1/epoch-2.pt", "small-cnn-gn", true);
        QVERIFY(r0.count("memory_bank"));
        QCOMPARE(r0.size(), r1.size());
        for (const auto& [name, t] : r0)
            QVERIFY2(at::equal(t, r1.at(name)), name.c_str());
    }

    void eachRankDrawsFromAStreamOfItsOwn()
    {
        QCOMPARE(replicaSeed(7, 0), std::uint64_t{7});
        QVERIFY(replicaSeed(7, 1) != 7 && replicaSeed(7, 2) != replicaSeed(7, 1));
        QVERIFY(replicaSeed(8, 1) != replicaSeed(7, 1));
    }
};

int main(int argc, char** argv)
{
    if (const char* role = std::getenv("SCNS_DIST_TEST_ROLE"))
        return runRank(role);
    QCoreApplication app(argc, argv);
    TestDistTrainer test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_dist_trainer.moc"
