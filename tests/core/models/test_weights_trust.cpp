// Weights files as data, never code (issue: trust). Hostile files made by PyTorch itself
// (TorchScript whose __setstate__ writes a file, a pickle whose object runs a command) must be
// refused with a message naming the file and what was refused, and the file their code would
// create must not exist afterwards. The field's historic format (torch.save's legacy format,
// RepDistiller's teachers) must load with the logits PyTorch computes. What we write must be
// plain data for torch.load(weights_only=True). Checkpoints of the landed version (format 1,
// kept under tests/data/landed-store) must still load. Sizes read from a file are checked
// before anything is allocated.
#include <QtTest>

#include <QTemporaryDir>

#include <fstream>

#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include "io/torch_file.h"
#include "io/zip_writer.h"
#include "models/load_state_dict.h"
#include "models/pretrained.h"
#include "models/registry.h"
#include "models/save_state_dict.h"
#include "models/weights_file.h"
#include "parity_support.h"
#include "train/checkpoint.h"

using namespace scns;
using namespace std::string_literals;
using scns::test::checkpointErrorOf;
using scns::test::maxAbsDiff;
using scns::test::runParityTool;

namespace {

// A store made by the landed version (see tests/data/landed-store/README.md).
const QString kFixtures = QStringLiteral(SCNS_SOURCE_DIR "/tests/data/landed-store");

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A protocol-2 pickle of one tensor: _rebuild_tensor_v2(storage '0' of `numel` floats,
// offset 0, size, stride), written opcode by opcode so that the numbers can lie.
std::string tensorPickle(std::uint64_t numel, const std::vector<std::int64_t>& size,
                         const std::vector<std::int64_t>& stride)
{
    auto longArg = [](std::uint64_t v) {
        std::string s = "\x8a\x08"s;
        for (int i = 0; i < 8; ++i)
            s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
        return s;
    };
    std::string p = "\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\n("s;
    p += "(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x00" "0X\x03\x00\x00\x00" "cpu"s;
    p += longArg(numel) + "tQ";
    p += "K\x00("s;
    for (const auto s : size)
        p += longArg(static_cast<std::uint64_t>(s));
    p += "t(";
    for (const auto s : stride)
        p += longArg(static_cast<std::uint64_t>(s));
    p += "t\x89" "ccollections\nOrderedDict\n)RtR.";
    return p;
}

void writeArchive(const std::string& file, const std::string& pickle, const std::string& storage)
{
    ZipWriter zip(file);
    zip.add("archive/data.pkl", pickle.data(), pickle.size());
    zip.add("archive/data/0", storage.data(), storage.size());
    zip.add("archive/version", "3\n", 2);
    zip.finish();
}

}  // namespace

class TestWeightsTrust : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }
    std::string marker() const { return path("MARKER"); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString a = runParityTool({"make", "resnet8", "10", m_dir.path()});
        QVERIFY2(a.isEmpty(), qPrintable(a));
        const QString b = runParityTool({"trust", "resnet8", "10", m_dir.path(), QString::fromStdString(marker())});
        QVERIFY2(b.isEmpty(), qPrintable(b));
        QVERIFY2(!QFile::exists(QString::fromStdString(marker())), "making the files must not create the marker");
    }

    // The marker that running the file's code would create never appears, whichever way the
    // file is opened; the message names the file and what was refused.
    void codeIsNeverRun_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("refused");
        QTest::newRow("TorchScript __setstate__") << "setstate-attack.pt" << "TorchScript code";
        QTest::newRow("pickled os.system") << "reduce-attack.pt" << "'posix.system'";
    }
    void codeIsNeverRun()
    {
        QFETCH(QString, file);
        QFETCH(QString, refused);
        const std::string f = path(file);
        const QList<std::function<void()>> paths = {
            [&] { readWeightsFile(f); },
            [&] { loadPretrained("resnet8", f); },
            [&] { readTorchFile(f); },
            [&] {
                auto net = buildNetwork({"resnet8", 10, 3});
                torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
                loadCheckpoint(f, "resnet8", *net, sgd);
            },
        };
        for (const auto& open : paths) {
            const QString msg = checkpointErrorOf(open);
            QVERIFY2(msg.startsWith(QString::fromStdString(f)), qPrintable(msg));
            QVERIFY2(msg.contains("refused") && msg.contains(refused), qPrintable(msg));
            QVERIFY2(!msg.contains('\n'), qPrintable(msg));
            QVERIFY2(!QFile::exists(QString::fromStdString(marker())), qPrintable("marker created via " + msg));
        }
        if (file == "setstate-attack.pt")
            QVERIFY2(checkpointErrorOf([&] { readWeightsFile(f); }).contains("def __setstate__")
                         || checkpointErrorOf([&] { readWeightsFile(f); }).contains("def forward"),
                     "the message names the method");
    }

    // RepDistiller's teachers: {'epoch', 'model', 'accuracy', 'optimizer'} in the legacy format.
    void readsRepDistillerLegacyTeacher()
    {
        const PretrainedNetwork p = loadPretrained("resnet8", path("resnet8-repdistiller.pth"));
        QVERIFY2(QString::fromStdString(p.format).contains("'model'"), p.format.c_str());
        QCOMPARE(p.epoch, std::int64_t(240));
        QCOMPARE(p.spec.numClasses, 10);
        const torch::Tensor input = readTensorFile(path("resnet8-input.pt"));
        const torch::Tensor expected = readTensorFile(path("resnet8-logits.pt"));
        torch::NoGradGuard noGrad;
        const double diff = maxAbsDiff(p.network->forward(input), expected);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        // The whole file, optimiser state included, is plain data.
        const TorchValue all = readTorchFile(path("resnet8-repdistiller.pth"));
        QVERIFY(all.find("optimizer") && all.find("optimizer")->find("param_groups"));
        QCOMPARE(all.find("accuracy")->kind, TorchValue::Kind::Tensor);
    }

    void legacyViewsShareStorage()
    {
        const WeightsFile w = readWeightsFile(path("legacy-views.pth"));
        QCOMPARE(w.tensors.size(), std::size_t(3));
        const auto base = torch::arange(12, torch::kFloat);
        QCOMPARE(maxAbsDiff(w.tensors[0].second, base), 0.0);
        QCOMPARE(maxAbsDiff(w.tensors[1].second, base.slice(0, 4, 10)), 0.0);
        QCOMPARE(maxAbsDiff(w.tensors[2].second, base.view({3, 4}).t()), 0.0);
    }

    // Exported weights and checkpoints are read by torch.load(weights_only=True) and hold no
    // TorchScript type tags.
    void writtenFilesArePlainData()
    {
        torch::manual_seed(5);
        auto net = buildNetwork({"resnet8", 10, 3});
        saveStateDict(*net, path("export.pt"));
        saveTensor(torch::arange(4), path("tensor.pt"));
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        net->forward(torch::randn({2, 3, 32, 32})).sum().backward();
        sgd.step();
        saveCheckpoint(path("ckpt.pt"), *net, sgd, {3, 30, "resnet8", "cifar10"});
        for (const char* f : {"export.pt", "tensor.pt", "ckpt.pt"}) {
            const std::string bytes = readAll(path(f));
            QVERIFY2(bytes.find("torch.jit") == std::string::npos, f);
            QVERIFY2(bytes.find("restore_type_tag") == std::string::npos, f);
        }
        const QString error = runParityTool({"weights-only", m_dir.filePath("export.pt"), m_dir.filePath("tensor.pt"),
                                             m_dir.filePath("ckpt.pt")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // And read back by us, momentum included.
        auto other = buildNetwork({"resnet8", 10, 3});
        torch::optim::SGD sgd2(other->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        const CheckpointMeta meta = loadCheckpoint(path("ckpt.pt"), "resnet8", *other, sgd2);
        QCOMPARE(meta.formatVersion, 2);
        QCOMPARE(meta.epochsCompleted, std::int64_t(3));
        QCOMPARE(meta.dataset, std::string("cifar10"));
        const auto a = stateDict(*net), b = stateDict(*other);
        for (std::size_t i = 0; i < a.size(); ++i)
            QCOMPARE(maxAbsDiff(a[i].second, b[i].second), 0.0);
        QCOMPARE(sgd2.state().size(), sgd.state().size());
    }

    // Checkpoints of the landed version (format 1, LibTorch archives) load, as data, with the
    // weights its own export wrote, and resume with their momentum.
    void landedCheckpointsStillLoad()
    {
        const std::string ckpt = (kFixtures + "/checkpoints/run-1/epoch-1.pt").toStdString();
        const std::string exported = (kFixtures + "/export-run-1.pth").toStdString();
        QVERIFY2(QFile::exists(QString::fromStdString(ckpt)), ckpt.c_str());
        const WeightsFile w = readWeightsFile(ckpt);
        QCOMPARE(QString::fromStdString(w.arch), QString("small-cnn"));
        QCOMPARE(w.epoch, std::int64_t(1));
        QVERIFY2(QString::fromStdString(w.format).contains("format 1"), w.format.c_str());
        const WeightsFile e = readWeightsFile(exported);
        QCOMPARE(w.tensors.size(), e.tensors.size());
        std::map<std::string, torch::Tensor> byName(e.tensors.begin(), e.tensors.end());
        for (const auto& [k, t] : w.tensors) {
            QVERIFY2(byName.count(k), k.c_str());
            QCOMPARE(maxAbsDiff(t, byName[k]), 0.0);
        }
        const PretrainedNetwork p = loadPretrained("", ckpt);
        auto net = buildNetwork(p.spec);
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        const CheckpointMeta meta = loadCheckpoint(ckpt, "small-cnn", *net, sgd);
        QCOMPARE(meta.formatVersion, 1);
        QCOMPARE(meta.epochsCompleted, std::int64_t(1));
        QVERIFY2(!sgd.state().empty(), "the momentum buffers of format 1 are restored");
    }

    // Sizes in a file are checked against the file before anything is allocated: each of these
    // is a one-line error naming the file and the value.
    void hostileSizes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("storage of 10^12 elements") << "huge-storage.pt" << "1000000000000 elements";
        QTest::newRow("stride-0 view of 10^18 elements") << "broadcast.pt" << "more elements than its storage";
        QTest::newRow("zip entry claims 4 GB") << "zip-bomb.pt" << "claims 4294967280 bytes";
        QTest::newRow("directory past the end") << "bad-directory.pt" << "outside the file";
        QTest::newRow("truncated legacy file") << "truncated-legacy.pth" << "truncated";
        QTest::newRow("corrupt record (CRC)") << "crc.pt" << "CRC-32";
    }
    void hostileSizes()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        const std::string f = path(name);
        if (name == "huge-storage.pt")
            writeArchive(f, tensorPickle(1'000'000'000'000ull, {1'000'000, 1'000'000}, {1'000'000, 1}),
                         std::string(8, '\0'));
        if (name == "broadcast.pt")
            writeArchive(f, tensorPickle(2, {1'000'000'000, 1'000'000'000}, {0, 0}), std::string(8, '\0'));
        if (name == "zip-bomb.pt" || name == "bad-directory.pt") {
            saveTensor(torch::arange(4), f);
            std::string bytes = readAll(f);
            // The central directory entry of data.pkl: method deflate, 8 GB uncompressed.
            const auto dir = bytes.find(std::string("PK\x01\x02", 4));
            QVERIFY(dir != std::string::npos);
            if (name == "zip-bomb.pt") {
                bytes[dir + 10] = 8;  // deflate
                const std::uint32_t big = 0xfffffff0u;
                std::memcpy(&bytes[dir + 24], &big, 4);
            } else {
                const auto end = bytes.rfind(std::string("PK\x05\x06", 4));
                const std::uint32_t far = 0x7ffffff0u;
                std::memcpy(&bytes[end + 16], &far, 4);
            }
            std::ofstream(f, std::ios::binary | std::ios::trunc) << bytes;
        }
        if (name == "truncated-legacy.pth") {
            const std::string bytes = readAll(path("resnet8-repdistiller.pth"));
            std::ofstream(f, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 1000);
        }
        if (name == "crc.pt") {
            saveTensor(torch::arange(16), f);
            std::string bytes = readAll(f);
            // The storage's last byte: just before the next entry's local header.
            bytes[bytes.find("archive/version") - 30 - 1] ^= 0x55;
            std::ofstream(f, std::ios::binary | std::ios::trunc) << bytes;
        }
        const QString msg = checkpointErrorOf([&] { readTensorFile(f); });
        QVERIFY2(msg.startsWith(QString::fromStdString(f)), qPrintable(msg));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
        QVERIFY2(!msg.contains('\n'), qPrintable(msg));
    }

    // A pickle may nest and share values, but not without bound.
    void hostileStructure()
    {
        // 60 levels of a list holding the previous one twice: 2^60 values when expanded.
        std::string p = "\x80\x02]q\x00"s;
        for (int i = 1; i <= 60; ++i) {
            p += "(h";
            p.push_back(static_cast<char>(i - 1));
            p += "h";
            p.push_back(static_cast<char>(i - 1));
            p += "lq";
            p.push_back(static_cast<char>(i));
        }
        p += ".";
        writeArchive(path("fanout.pt"), p, "");
        QVERIFY2(checkpointErrorOf([&] { readTorchFile(path("fanout.pt")); }).contains("nested more than")
                     || checkpointErrorOf([&] { readTorchFile(path("fanout.pt")); }).contains("more than 4194304 values"),
                 qPrintable(checkpointErrorOf([&] { readTorchFile(path("fanout.pt")); })));
        // 100,000 open MARKs.
        writeArchive(path("marks.pt"), "\x80\x02" + std::string(100'000, '(') + "N.", "");
        const QString marks = checkpointErrorOf([&] { readWeightsFile(path("marks.pt")); });
        QVERIFY2(marks.contains("nested more than 1000 levels"), qPrintable(marks));
        // 3 million empty lists.
        writeArchive(path("values.pt"), "\x80\x02" + std::string(3'000'000, ']') + ".", "");
        const QString values = checkpointErrorOf([&] { readWeightsFile(path("values.pt")); });
        QVERIFY2(values.contains("values: the limit"), qPrintable(values));
    }

    // A dict of tensors with a stray value names the stray keys.
    void nonTensorValuesAreNamed()
    {
        TorchValue sd = TorchValue::dict(true);
        sd.set("conv.weight", TorchValue::of(torch::ones({2, 2})));
        sd.set("conv.bias", TorchValue::of(torch::ones({2})));
        sd.set("best_acc", TorchValue::of(std::string("71.2")));
        writeTorchFile(sd, path("stray.pt"));
        const QString msg = checkpointErrorOf([&] { readWeightsFile(path("stray.pt")); });
        QVERIFY2(msg.contains("'best_acc' (str)") && !msg.contains("'conv.weight'"), qPrintable(msg));
    }

    void cleanupTestCase() { m_dir.remove(); }
};

QTEST_GUILESS_MAIN(TestWeightsTrust)
#include "test_weights_trust.moc"
