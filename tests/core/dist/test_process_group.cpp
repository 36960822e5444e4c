// Real processes over loopback through c10d (TCPStore + ProcessGroupGloo): the test starts two
// copies of itself as ranks 0 and 1 (SCNS_DIST_TEST_ROLE selects what a copy does).
//  - A network without batch norm trained by 2 ranks, each on its DistributedSampler shard with
//    half the global batch and the gradients averaged in buckets sent while backward runs
//    (GradientReducer: each bucket is started from the parameters' hooks), equals, parameter for
//    parameter, the same network trained by this process alone with the whole batch; rank 1
//    starts from other weights and gets rank 0's by broadcast. All-gather and broadcast give
//    the expected values.
//  - A rank that dies makes the other's next collective fail with a message naming it, within
//    the timeout, instead of hanging.
//  - The collectives on the test device (SCNS_TEST_DEVICE): on a GPU through NCCL where this
//    build has it and each rank has a GPU of its own, else through Gloo; and which backend a
//    group uses follows distributed.backend.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "common/errors.h"
#include "dist/gradient_reducer.h"
#include "dist/local_ranks.h"
#include "dist/process_group.h"
#include "dist/shard.h"
#include "dist_ranks.h"
#include "test_device.h"

using namespace scns;

namespace {

constexpr int kWorld = 2;
constexpr std::int64_t kN = 64, kGlobalBatch = 16, kEpochs = 2;

torch::nn::Sequential makeNet(std::uint64_t seed)
{
    torch::manual_seed(seed);
    return torch::nn::Sequential(torch::nn::Linear(8, 16), torch::nn::ReLU(), torch::nn::Linear(16, 3));
}

struct Data {
    at::Tensor x, y;
};
Data makeData()
{
    at::Generator g = at::detail::createCPUGenerator(42);
    return {at::randn({kN, 8}, g), at::randint(3, {kN}, g)};
}

std::vector<std::int64_t> epochOrder(std::int64_t epoch)
{
    at::Generator g = at::detail::createCPUGenerator(7 + static_cast<std::uint64_t>(epoch));
    const at::Tensor p = at::randperm(kN, g, at::kLong);
    return std::vector<std::int64_t>(p.data_ptr<std::int64_t>(), p.data_ptr<std::int64_t>() + kN);
}

// Trains over `batches(epoch)` (index lists) with SGD; `backward(loss)` leaves the gradients.
template <typename Batches, typename Backward>
at::Tensor train(torch::nn::Sequential net, const Data& d, Batches batches, Backward backward)
{
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    for (std::int64_t e = 0; e < kEpochs; ++e)
        for (const std::vector<std::int64_t>& b : batches(e)) {
            const at::Tensor idx = at::tensor(b, at::kLong);
            opt.zero_grad();
            backward(
                torch::nn::functional::cross_entropy(net->forward(d.x.index_select(0, idx)), d.y.index_select(0, idx)));
            opt.step();
        }
    std::vector<at::Tensor> flat;
    for (const auto& p : net->parameters())
        flat.push_back(p.detach().reshape({-1}));
    return at::cat(flat);
}

void plainBackward(const at::Tensor& loss) { loss.backward(); }

std::vector<std::vector<std::int64_t>> chunks(const std::vector<std::int64_t>& order, std::int64_t size)
{
    std::vector<std::vector<std::int64_t>> out;
    for (std::size_t i = 0; i < order.size(); i += static_cast<std::size_t>(size))
        out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                         order.begin()
                             + static_cast<std::ptrdiff_t>(std::min(order.size(), i + static_cast<std::size_t>(size))));
    return out;
}

// --- the ranks (a copy of this program) ----------------------------------------------------

// Rank r computes on the test device, on a GPU cuda:(r mod GPUs). NCCL wants a GPU per rank:
// with fewer GPUs than ranks the group is told to carry GPU tensors with Gloo. Returns 0, or
// which check failed; writes the backend that carried them to SCNS_DIST_TEST_OUT.
int runDeviceRank(DistributedContext& group)
{
    c10::Device device = test::device();
    const int gpus = static_cast<int>(torch::cuda::device_count());
    if (device.is_cuda())
        device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(group.rank() % std::max(1, gpus)));
    if (device.is_cuda() && gpus < group.worldSize())
        group.setGpuBackend(CollectiveBackend::Gloo);
    const auto on = [&](const at::Tensor& t) { return t.to(device); };
    const float r = static_cast<float>(group.rank());
    std::vector<at::Tensor> sum{on(at::full({3}, r + 1.0f))};
    group.allReduceSum(sum);
    if (sum[0].device() != device || !at::equal(sum[0].cpu(), at::full({3}, 3.0f)))
        return 10;
    std::vector<at::Tensor> started{on(at::full({5}, r))};
    group.startAllReduceSum(started)->wait();
    if (!at::equal(started[0].cpu(), at::full({5}, 1.0f)))
        return 11;
    std::vector<at::Tensor> fromOne{on(at::arange(4, at::kFloat) + 10.0f * r)};
    group.broadcast(fromOne, 1);
    if (!at::equal(fromOne[0].cpu(), at::arange(4, at::kFloat) + 10.0f))
        return 12;
    const at::Tensor all = group.allGather(on(at::arange(3, at::kFloat) + 10.0f * r));
    if (all.device() != device || !at::equal(all.cpu(), at::tensor({0.f, 1.f, 2.f, 10.f, 11.f, 12.f})))
        return 13;
    const at::Tensor atZero = group.gatherTo(on(at::full({2}, r)), 0);
    if (group.rank() == 0 ? !at::equal(atZero.cpu(), at::tensor({0.f, 0.f, 1.f, 1.f})) : atZero.defined())
        return 14;
    std::ofstream(std::getenv("SCNS_DIST_TEST_OUT")) << (device.is_cuda() ? group.gpuBackendName() : "gloo") << '\n';
    return 0;
}

int runRank(const std::string& role)
{
    const auto env = distributedEnvFromEnvironment();
    if (!env) {
        std::cerr << "rank: no WORLD_SIZE/RANK\n";
        return 2;
    }
    try {
        DistributedContext group(*env, std::chrono::seconds(20));
        if (role == "device")
            return runDeviceRank(group);
        if (role == "die") {
            if (group.rank() == 1)
                std::_Exit(0);  // gone without a word
            std::vector<at::Tensor> t{at::ones({4})};
            group.allReduceSum(t);  // must fail: rank 1 is gone
            return 0;
        }
        // All-gather in rank order, broadcast from rank 0.
        const at::Tensor gathered =
            group.allGather(at::arange(3, at::kFloat) + 10.0f * static_cast<float>(group.rank()));
        if (!at::equal(gathered, at::tensor({0.f, 1.f, 2.f, 10.f, 11.f, 12.f})))
            return 4;
        // Gathered to rank 1 only, in rank order; nothing on rank 0.
        const at::Tensor toOne = group.gatherTo(at::full({2, 2}, static_cast<float>(group.rank())), 1);
        if (group.rank() == 1 ? !at::equal(toOne, at::tensor({0.f, 0.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f}).view({4, 2}))
                              : toOne.defined())
            return 6;
        torch::nn::Sequential net = makeNet(static_cast<std::uint64_t>(group.rank()));  // different weights
        broadcastTensors(group, net->parameters(), 0);
        const Data d = makeData();
        // Buckets of 256 bytes: the second layer's bias and weight, the first's bias, its weight.
        GradientReducer reducer(group, net->parameters(), 256, 256);
        int leastOverlap = reducer.lastStep().buckets;
        const at::Tensor params = train(
            net, d,
            [&](std::int64_t e) {
                return chunks(shardOf(epochOrder(e), group.rank(), group.worldSize()), kGlobalBatch / kWorld);
            },
            [&](const at::Tensor& loss) {
                reducer.prepare();
                loss.backward();
                leastOverlap = std::min(leastOverlap, reducer.lastStep().startedDuringBackward);
                reducer.finish();
            });
        std::ofstream(std::string(std::getenv("SCNS_DIST_TEST_OUT")) + ".overlap")
            << reducer.lastStep().buckets << ' ' << leastOverlap << '\n';
        std::ofstream out(std::getenv("SCNS_DIST_TEST_OUT"), std::ios::binary);
        out.write(reinterpret_cast<const char*>(params.data_ptr<float>()),
                  static_cast<std::streamsize>(params.nbytes()));
        return out ? 0 : 5;
    } catch (const DistributedError& e) {
        std::cerr << e.what() << '\n';
        return 3;
    }
}

}  // namespace

class TestProcessGroup : public QObject {
    Q_OBJECT

    // Starts the two ranks with `role`; returns them running.
    std::vector<std::unique_ptr<QProcess>> start(const QString& role, const QTemporaryDir& dir)
    {
        return test::startRanks(kWorld, [&](int r, QProcessEnvironment& env) {
            env.insert("SCNS_DIST_TEST_ROLE", role);
            env.insert("SCNS_DIST_TEST_OUT", dir.filePath(QStringLiteral("rank%1.bin").arg(r)));
        });
    }

    static at::Tensor readParams(const QString& path, std::int64_t n)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        const QByteArray bytes = f.readAll();
        if (bytes.size() != n * 4)
            return {};
        return at::from_blob(const_cast<char*>(bytes.data()), {n}, at::kFloat).clone();
    }

private Q_SLOTS:
    void shardsFollowDistributedSampler()
    {
        const std::vector<std::int64_t> order = {9, 8, 7, 6, 5, 4, 3};
        // Padded to 8 with the order's start; rank r takes r, r + 2, ...
        QCOMPARE(shardOf(order, 0, 2), (std::vector<std::int64_t>{9, 7, 5, 3}));
        QCOMPARE(shardOf(order, 1, 2), (std::vector<std::int64_t>{8, 6, 4, 9}));
        QCOMPARE(shardOf(order, 2, 3), (std::vector<std::int64_t>{7, 4, 8}));  // of 9, 8, 7, 6, 5, 4, 3, 9, 8
        QVERIFY(shardOf(order, 2, 2).empty());
        // Each rank's k-th batch of B / W together is the k-th block of B.
        std::vector<std::int64_t> ids(16);
        std::iota(ids.begin(), ids.end(), 100);
        const auto a = shardOf(ids, 0, 2), b = shardOf(ids, 1, 2);
        std::vector<std::int64_t> first(a.begin(), a.begin() + 4);
        first.insert(first.end(), b.begin(), b.begin() + 4);
        std::sort(first.begin(), first.end());
        QCOMPARE(first, (std::vector<std::int64_t>{100, 101, 102, 103, 104, 105, 106, 107}));
    }

    void twoRanksTrainAsOneProcessWithTheWholeBatch()
    {
        QTemporaryDir dir;
        auto ranks = start("train", dir);
        for (int r = 0; r < kWorld; ++r) {
            QVERIFY2(ranks[r]->waitForFinished(120000), "a rank did not finish in 120 s");
            QVERIFY2(ranks[r]->exitStatus() == QProcess::NormalExit && ranks[r]->exitCode() == 0,
                     qPrintable(QStringLiteral("rank %1 exit %2: %3")
                                    .arg(r)
                                    .arg(ranks[r]->exitCode())
                                    .arg(QString::fromLocal8Bit(ranks[r]->readAll()))));
        }
        const Data d = makeData();
        const auto wholeBatches = [](std::int64_t e) { return chunks(epochOrder(e), kGlobalBatch); };
        const at::Tensor alone = train(makeNet(0), d, wholeBatches, plainBackward);
        const at::Tensor r0 = readParams(dir.filePath("rank0.bin"), alone.numel());
        const at::Tensor r1 = readParams(dir.filePath("rank1.bin"), alone.numel());
        QVERIFY(r0.defined() && r1.defined());
        QVERIFY2(at::equal(r0, r1), "the ranks' parameters differ");
        // Every bucket was sent while backward still ran, in every step, on both ranks.
        for (int r = 0; r < kWorld; ++r) {
            std::ifstream overlap(dir.filePath(QStringLiteral("rank%1.bin.overlap").arg(r)).toStdString());
            int buckets = 0, leastStarted = -1;
            QVERIFY(overlap >> buckets >> leastStarted);
            QCOMPARE(buckets, 3);
            QCOMPARE(leastStarted, buckets);
        }
        const double diff = (r0 - alone).abs().max().item<double>();
        QVERIFY2(diff < 1e-5, qPrintable(QStringLiteral("largest difference to one process: %1").arg(diff)));
        // Training moved the weights (a test that compares the initial weights would pass too).
        QVERIFY(
            (alone
             - train(
                 makeNet(0), d, [](std::int64_t) { return std::vector<std::vector<std::int64_t>>{}; }, plainBackward))
                .abs()
                .max()
                .item<double>()
            > 1e-3);
    }

    void collectivesOnTheTestDevice()
    {
        QTemporaryDir dir;
        auto ranks = start("device", dir);
        for (int r = 0; r < kWorld; ++r) {
            QVERIFY2(ranks[r]->waitForFinished(120000), "a rank did not finish in 120 s");
            QVERIFY2(ranks[r]->exitStatus() == QProcess::NormalExit && ranks[r]->exitCode() == 0,
                     qPrintable(QStringLiteral("rank %1 on %2, exit %3 (10-14: which collective was wrong): %4")
                                    .arg(r)
                                    .arg(QString::fromStdString(test::deviceName()))
                                    .arg(ranks[r]->exitCode())
                                    .arg(QString::fromLocal8Bit(ranks[r]->readAll()))));
        }
        // On a GPU the log says which backend carried the tensors (NCCL needs a GPU per rank).
        std::ifstream used(dir.filePath("rank0.bin").toStdString());
        std::string backend;
        QVERIFY(used >> backend);
        const bool ncclExpected =
            kBuiltWithNccl && test::onGpu() && static_cast<int>(torch::cuda::device_count()) >= kWorld;
        QCOMPARE(QString::fromStdString(backend), QString(ncclExpected ? "nccl" : "gloo"));
        const std::string device = test::deviceName();
        qInfo("collectives on %s: GPU tensors through %s (cpu: Gloo throughout)", device.c_str(), backend.c_str());
    }

    // distributed.backend reaches the group; nccl where the build has no NCCL is refused with the
    // setting's name. With NCCL and a GPU, one process exchanges a GPU tensor through it.
    void gpuBackendFollowsTheSetting()
    {
        DistributedEnv env;
        env.masterPort = freeLoopbackPort();
        DistributedContext group(env, std::chrono::seconds(20));
        QCOMPARE(QString::fromStdString(group.gpuBackendName()), QString(kBuiltWithNccl ? "nccl" : "gloo"));
        group.setGpuBackend(CollectiveBackend::Gloo);
        QCOMPARE(QString::fromStdString(group.gpuBackendName()), QString("gloo"));
        if (!kBuiltWithNccl) {
            try {
                group.setGpuBackend(CollectiveBackend::Nccl);
                QFAIL("nccl accepted by a build without NCCL");
            } catch (const ConfigError& e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains("distributed.backend"), e.what());
            }
            QCOMPARE(QString::fromStdString(group.gpuBackendName()), QString("gloo"));
            return;
        }
        group.setGpuBackend(CollectiveBackend::Nccl);
        QCOMPARE(QString::fromStdString(group.gpuBackendName()), QString("nccl"));
        if (!test::onGpu())
            return;  // NCCL exchanges need a GPU: bench/gpu/check.sh runs this with SCNS_TEST_DEVICE=cuda
        std::vector<at::Tensor> t{at::arange(6, at::kFloat).to(test::device())};
        group.allReduceSum(t);
        QVERIFY(at::equal(t[0].cpu(), at::arange(6, at::kFloat)));
    }

    void aRankThatDiesEndsTheOthersWait()
    {
        QTemporaryDir dir;
        QElapsedTimer clock;
        clock.start();
        auto ranks = start("die", dir);
        for (int r = 0; r < kWorld; ++r)
            QVERIFY2(ranks[r]->waitForFinished(60000), "a rank hung");
        const QString out = QString::fromLocal8Bit(ranks[0]->readAll());
        QCOMPARE(ranks[0]->exitCode(), 3);
        QVERIFY2(out.contains("all-reduce failed on rank 0 of 2"), qPrintable(out));
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));
    }
};

int main(int argc, char** argv)
{
    if (const char* role = std::getenv("SCNS_DIST_TEST_ROLE"))
        return runRank(role);
    QCoreApplication app(argc, argv);
    TestProcessGroup test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_process_group.moc"
