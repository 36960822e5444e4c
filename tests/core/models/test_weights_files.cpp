// Weights files other than the parity cases: every storage type and view torch.save writes,
// our own training checkpoints, our export read back, the network size read from the weights,
// and files that are not checkpoints at all, which must fail with a message, never a crash.
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QTemporaryDir>

#include <fstream>
#include <random>

#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include "models/pretrained.h"
#include "models/registry.h"
#include "models/save_state_dict.h"
#include "models/weights_file.h"
#include "parity_support.h"
#include "train/checkpoint.h"

using namespace scns;
using scns::test::checkpointErrorOf;
using scns::test::maxAbsDiff;
using scns::test::runParityTool;

namespace {
const char* const kNotACheckpoint =
    "not a PyTorch weights file (expected a zip archive written by torch.save, or torch.save's legacy format)";

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
}  // namespace

class TestWeightsFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void everyStorageTypeAndView()
    {
        const QString error = runParityTool({"dtypes", m_dir.path()});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QFile f(m_dir.filePath("dtypes.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(f.readAll()).object();
        const WeightsFile w = readWeightsFile(path("dtypes.pt"));
        QCOMPARE(qsizetype(w.tensors.size()), expected.size());
        const std::map<std::string, c10::ScalarType> types = {
            {"f32", c10::kFloat}, {"f64", c10::kDouble}, {"f16", c10::kHalf},   {"i64", c10::kLong},
            {"u8", c10::kByte},   {"bool", c10::kBool},  {"scalar_i64", c10::kLong}};
        for (const auto& [key, t] : w.tensors) {
            const QJsonObject e = expected[QString::fromStdString(key)].toObject();
            QVERIFY2(!e.isEmpty(), key.c_str());
            std::vector<std::int64_t> shape;
            for (const auto& d : e["shape"].toArray())
                shape.push_back(d.toInteger());
            QVERIFY2(t.sizes().vec() == shape, key.c_str());
            if (types.count(key))
                QVERIFY2(t.scalar_type() == types.at(key), key.c_str());
            std::vector<double> values;
            for (const auto& v : e["values"].toArray())
                values.push_back(v.toDouble());
            const auto want = torch::tensor(values, torch::kDouble).reshape(shape);
            QVERIFY2(maxAbsDiff(t, want) == 0.0, key.c_str());
        }
    }

    void scnsTrainingCheckpointLoads()
    {
        torch::manual_seed(3);
        auto net = buildNetwork({"resnet8", 10, 1});
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        saveCheckpoint(path("epoch-4.pt"), *net, sgd, {4, 40, "resnet8"});
        const PretrainedNetwork p = loadPretrained("", path("epoch-4.pt"));
        QCOMPARE(QString::fromStdString(p.format), QString("SCNS training checkpoint"));
        QCOMPARE(p.epoch, std::int64_t(4));
        QCOMPARE(p.spec.inChannels, 1);
        QCOMPARE(p.spec.numClasses, 10);
        net->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        QCOMPARE(maxAbsDiff(p.network->forward(x), net->forward(x)), 0.0);
        const QString msg = checkpointErrorOf([&] { loadPretrained("wrn_16_2", path("epoch-4.pt")); });
        QVERIFY2(msg.contains("holds a resnet8 network") && msg.contains("not a wrn_16_2"), qPrintable(msg));
    }

    void exportReadsBackInOrder()
    {
        torch::manual_seed(4);
        auto net = buildNetwork({"ShuffleV2", 7, 3});
        saveStateDict(*net, path("shuffle.pt"));
        QVERIFY(!QFile::exists(m_dir.filePath("shuffle.pt.partial")));
        const WeightsFile w = readWeightsFile(path("shuffle.pt"));
        const StateDict own = stateDict(*net);
        QCOMPARE(w.tensors.size(), own.size());
        for (std::size_t i = 0; i < own.size(); ++i) {
            QCOMPARE(QString::fromStdString(w.tensors[i].first), QString::fromStdString(own[i].first));
            QCOMPARE(w.tensors[i].second.scalar_type(), own[i].second.scalar_type());
            QCOMPARE(maxAbsDiff(w.tensors[i].second, own[i].second), 0.0);
        }
        const NetworkSpec spec = specFromWeights("ShuffleV2", w.tensors);
        QCOMPARE(spec.numClasses, 7);
        QCOMPARE(spec.inChannels, 3);
    }

    void tensorFileIsOneTensor()
    {
        saveTensor(torch::arange(6).reshape({2, 3}), path("t.pt"));
        QCOMPARE(maxAbsDiff(readTensorFile(path("t.pt")), torch::arange(6).reshape({2, 3})), 0.0);
        saveStateDict(*buildNetwork({"resnet8", 10, 3}), path("sd.pt"));
        const QString msg = checkpointErrorOf([&] { readTensorFile(path("sd.pt")); });
        QVERIFY2(msg.contains("expected a single tensor") && msg.contains("'conv1.weight' (tensor)"), qPrintable(msg));
    }

    void filesThatAreNotCheckpointsFailCleanly_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text") << "notes.txt" << kNotACheckpoint;
        QTest::newRow("random bytes") << "random.bin" << kNotACheckpoint;
        QTest::newRow("empty") << "empty.pt" << kNotACheckpoint;
        QTest::newRow("zip without data.pkl") << "resnet8-nodatapkl.pt" << "no data.pkl";
        QTest::newRow("truncated zip") << "truncated.pt" << "truncated or damaged";
        QTest::newRow("zip, corrupt data.pkl") << "badpickle.pt" << "data.pkl";
        QTest::newRow("pickled module") << "resnet8-module.pt" << "refused: the pickle names 'reference_nets.CifarResNet'";
        QTest::newRow("missing") << "nonexistent.pt" << "file not found";
        QTest::newRow("folder") << "folder" << "is a folder";
    }
    void filesThatAreNotCheckpointsFailCleanly()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        if (!QFile::exists(m_dir.filePath("resnet8-model.pt"))) {
            const QString error = runParityTool({"variants", "resnet8", "10", m_dir.path()});
            QVERIFY2(error.isEmpty(), qPrintable(error));
            writeFile(path("notes.txt"), "epoch 3: top-1 71.2%\n");
            std::mt19937 rng(1);
            std::string noise(4096, '\0');
            for (char& c : noise)
                c = static_cast<char>(rng());
            writeFile(path("random.bin"), noise);
            writeFile(path("empty.pt"), "");
            std::ifstream whole(path("resnet8-model.pt"), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
            writeFile(path("truncated.pt"), bytes.substr(0, bytes.size() / 2));
            // A valid archive whose data.pkl is garbage: our exporter's file with the pickle
            // record's bytes (stored uncompressed) overwritten.
            saveTensor(torch::ones({2}), path("badpickle.pt"));
            std::fstream patch(path("badpickle.pt"), std::ios::in | std::ios::out | std::ios::binary);
            std::string head(4096, '\0');
            patch.read(head.data(), 4096);
            const auto at = head.find('\x80', head.find("data.pkl"));
            QVERIFY(at != std::string::npos);
            patch.clear();
            patch.seekp(static_cast<std::streamoff>(at));
            patch.write("\xff\xff\xff", 3);
            QVERIFY(QDir(m_dir.path()).mkpath("folder"));
        }
        const std::string file = path(name);
        const QString msg = checkpointErrorOf([&] { readWeightsFile(file); });
        QVERIFY2(msg.startsWith(QString::fromStdString(file)), qPrintable(msg));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
        // The same through the network loader and the tensor reader.
        QVERIFY(checkpointErrorOf([&] { loadPretrained("resnet8", file); }).startsWith(QString::fromStdString(file)));
        QVERIFY(checkpointErrorOf([&] { readTensorFile(file); }).startsWith(QString::fromStdString(file)));
    }

    void cleanupTestCase() { m_dir.remove(); }
};

QTEST_GUILESS_MAIN(TestWeightsFiles)
#include "test_weights_files.moc"
