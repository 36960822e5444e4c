// CIFAR-10/100 readers: binary version, Python version as Python 3 writes it (protocol 2,
// via SCNS_TEST_PYTHON) and as Python 2 wrote the originals (bytes written here), all of
// which must load identically; and the bad-input cases of each.
#include "common/errors.h"
#include "data/cifar.h"
#include "py2_pickle_writer.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QTest>

using namespace scns;
using namespace scns::test;
namespace fs = std::filesystem;

namespace {

constexpr int recordPixels = 3072;

// Deterministic records: what the binary files hold, and what every other version must give.
struct Records {
    std::vector<std::int64_t> fine;
    std::vector<std::int64_t> coarse;  // CIFAR-100 only
    Bytes pixels;
};

Records makeRecords(int count, int seed, bool is100)
{
    Records r;
    for (int i = 0; i < count; ++i) {
        const int label = is100 ? (seed * 7 + i * 13) % 100 : (seed + i * 3) % 10;
        r.fine.push_back(label);
        if (is100)
            r.coarse.push_back(label / 5);
        for (int j = 0; j < recordPixels; ++j)
            r.pixels.push_back(static_cast<std::uint8_t>(seed * 13 + i * 31 + j * 7));
    }
    return r;
}

Bytes binaryRecords(const Records& r)
{
    Bytes b;
    for (std::size_t i = 0; i < r.fine.size(); ++i) {
        if (!r.coarse.empty())
            b.push_back(static_cast<std::uint8_t>(r.coarse[i]));
        b.push_back(static_cast<std::uint8_t>(r.fine[i]));
        b.insert(b.end(), r.pixels.begin() + static_cast<std::ptrdiff_t>(i * recordPixels),
                 r.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * recordPixels));
    }
    return b;
}

std::vector<std::string> names(const char* stem, int n)
{
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(stem + std::to_string(i));
    return out;
}

std::string lines(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += x + "\n";
    return s + "\n";  // the official files end with a blank line
}

const std::vector<std::string> names10{"airplane", "automobile", "bird", "cat", "deer",
                                       "dog",      "frog",       "horse", "ship", "truck"};

// Batches of CIFAR-10 train (5 x 2 images) and test (3 images); CIFAR-100 train 4, test 3.
struct Batch {
    std::string name;
    Records records;
};

std::vector<Batch> cifar10Batches()
{
    std::vector<Batch> out;
    for (int b = 1; b <= 5; ++b)
        out.push_back({"data_batch_" + std::to_string(b), makeRecords(2, b * 10, false)});
    out.push_back({"test_batch", makeRecords(3, 100, false)});
    return out;
}

std::vector<Batch> cifar100Batches()
{
    return {{"train", makeRecords(4, 1, true)}, {"test", makeRecords(3, 2, true)}};
}

void writeBinary10(const fs::path& dir)
{
    for (const Batch& b : cifar10Batches())
        writeBytes(dir / (b.name + ".bin"), binaryRecords(b.records));
    writeText(dir / "batches.meta.txt", lines(names10));
}

void writeBinary100(const fs::path& dir)
{
    for (const Batch& b : cifar100Batches())
        writeBytes(dir / (b.name + ".bin"), binaryRecords(b.records));
    writeText(dir / "fine_label_names.txt", lines(names("fine", 100)));
    writeText(dir / "coarse_label_names.txt", lines(names("coarse", 20)));
}

enum class Breakage { None, TopLevelList, NoData, WrongLength, WrongShape, LabelCount, LabelRange, Truncated };

// One batch as Python 2's cPickle wrote it, optionally broken.
Bytes py2Batch(const Records& r, Breakage breakage = Breakage::None)
{
    Py2PickleWriter w;
    w.proto2();
    if (breakage == Breakage::TopLevelList) {
        w.intList(r.fine);
        w.stop();
        return w.bytes;
    }
    const bool is100 = !r.coarse.empty();
    const auto count = static_cast<std::int64_t>(r.fine.size());
    w.emptyDict();
    w.mark();
    w.str("batch_label");
    w.str("training batch 1 of 5");
    if (breakage != Breakage::NoData) {
        w.str("data");
        Bytes data = r.pixels;
        std::vector<std::int64_t> shape{count, recordPixels};
        if (breakage == Breakage::WrongLength)
            data.pop_back();
        if (breakage == Breakage::WrongShape)
            shape = {count * 3072 / 1024, 1024};
        w.uint8Array(shape, data);
    }
    std::vector<std::int64_t> fine = r.fine;
    if (breakage == Breakage::LabelCount)
        fine.pop_back();
    if (breakage == Breakage::LabelRange)
        fine.back() = is100 ? 100 : 10;
    w.str(is100 ? "fine_labels" : "labels");
    w.intList(fine);
    if (is100) {
        w.str("coarse_labels");
        w.intList(r.coarse);
    }
    w.str("filenames");
    w.stringList(names("image_", static_cast<int>(count)));
    w.setItems();
    w.stop();
    if (breakage == Breakage::Truncated)
        w.bytes.resize(w.bytes.size() / 2);
    return w.bytes;
}

Bytes py2Meta(bool is100)
{
    Py2PickleWriter w;
    w.proto2();
    w.emptyDict();
    w.mark();
    if (is100) {
        w.str("fine_label_names");
        w.stringList(names("fine", 100));
        w.str("coarse_label_names");
        w.stringList(names("coarse", 20));
    } else {
        w.str("num_cases_per_batch");
        w.integer(10000);
        w.str("label_names");
        w.stringList(names10);
        w.str("num_vis");
        w.integer(3072);
    }
    w.setItems();
    w.stop();
    return w.bytes;
}

void writePy2_10(const fs::path& dir)
{
    for (const Batch& b : cifar10Batches())
        writeBytes(dir / b.name, py2Batch(b.records));
    writeBytes(dir / "batches.meta", py2Meta(false));
}

void writePy2_100(const fs::path& dir)
{
    for (const Batch& b : cifar100Batches())
        writeBytes(dir / b.name, py2Batch(b.records));
    writeBytes(dir / "meta", py2Meta(true));
}

// Converts the binary version into the Python version the way a Python 3 user would
// re-pickle it (protocol 2, str keys, lists of ints, uint8 arrays).
const char* convertScript = R"PY(
import os, pickle, sys
import numpy as np

def names(path):
    return [l.strip() for l in open(path) if l.strip()]

def records(path, label_bytes):
    a = np.fromfile(path, dtype=np.uint8).reshape(-1, label_bytes + 3072)
    return a[:, :label_bytes], np.ascontiguousarray(a[:, label_bytes:])

src10, dst10, src100, dst100 = sys.argv[1:5]
os.makedirs(dst10, exist_ok=True)
os.makedirs(dst100, exist_ok=True)
for b in ['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']:
    labels, data = records(os.path.join(src10, b + '.bin'), 1)
    d = {'batch_label': b, 'labels': [int(x) for x in labels[:, 0]], 'data': data,
         'filenames': ['f%d.png' % i for i in range(len(data))]}
    with open(os.path.join(dst10, b), 'wb') as f:
        pickle.dump(d, f, protocol=2)
with open(os.path.join(dst10, 'batches.meta'), 'wb') as f:
    pickle.dump({'num_cases_per_batch': 2, 'label_names': names(os.path.join(src10, 'batches.meta.txt')),
                 'num_vis': 3072}, f, protocol=2)
for b in ['train', 'test']:
    labels, data = records(os.path.join(src100, b + '.bin'), 2)
    d = {'filenames': ['f%d.png' % i for i in range(len(data))], 'batch_label': b,
         'fine_labels': [int(x) for x in labels[:, 1]], 'coarse_labels': [int(x) for x in labels[:, 0]],
         'data': data}
    with open(os.path.join(dst100, b), 'wb') as f:
        pickle.dump(d, f, protocol=2)
with open(os.path.join(dst100, 'meta'), 'wb') as f:
    pickle.dump({'fine_label_names': names(os.path.join(src100, 'fine_label_names.txt')),
                 'coarse_label_names': names(os.path.join(src100, 'coarse_label_names.txt'))}, f, protocol=2)

# The hand-written Python-2-style files must be what Python itself reads as the same data
# (loaded as torchvision does, with encoding='latin1').
py2_10, py2_100 = sys.argv[5:7]
def load(path, **kw):
    with open(path, 'rb') as f:
        return pickle.load(f, **kw)
for py2, py3, batches, keys in ((py2_10, dst10, ['data_batch_1', 'test_batch'], ['labels']),
                                (py2_100, dst100, ['train', 'test'], ['fine_labels', 'coarse_labels'])):
    for b in batches:
        a, c = load(os.path.join(py2, b), encoding='latin1'), load(os.path.join(py3, b))
        assert a['data'].dtype == np.uint8 and (a['data'] == c['data']).all(), b
        for k in keys:
            assert a[k] == c[k], (b, k)
    meta = 'meta' if py2 == py2_100 else 'batches.meta'
    a, c = load(os.path.join(py2, meta), encoding='latin1'), load(os.path.join(py3, meta))
    for k in c:
        if k.endswith('names'):
            assert a[k] == c[k], k
)PY";

// Issue 10: Python 3 pickles at protocols 0-2 spell bytes as _codecs.encode(text, 'latin1')
// (and, at protocol 0, text as raw-unicode-escape); with bytes keys (b'data') or bytes class
// names they are valid CIFAR files that the landed reader refused. Writes
// <dst>/p<protocol>-<str|bytes>/{cifar-10-batches-py,cifar-100-python} from the binary version.
const char* protocolsScript = R"PY(
import os, pickle, sys
import numpy as np

src10, src100, dst = sys.argv[1:4]

def names(path):
    return [l.strip() for l in open(path) if l.strip()]

def records(path, label_bytes):
    a = np.fromfile(path, dtype=np.uint8).reshape(-1, label_bytes + 3072)
    return a[:, :label_bytes], np.ascontiguousarray(a[:, label_bytes:])

for proto in (0, 1, 2):
    for keys in ('str', 'bytes'):
        k = (lambda s: s.encode('ascii')) if keys == 'bytes' else (lambda s: s)
        d10 = os.path.join(dst, 'p%d-%s' % (proto, keys), 'cifar-10-batches-py')
        d100 = os.path.join(dst, 'p%d-%s' % (proto, keys), 'cifar-100-python')
        os.makedirs(d10, exist_ok=True)
        os.makedirs(d100, exist_ok=True)
        def dump(obj, path):
            with open(path, 'wb') as f:
                pickle.dump(obj, f, protocol=proto)
        for b in ['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']:
            labels, data = records(os.path.join(src10, b + '.bin'), 1)
            dump({k('batch_label'): k(b), k('labels'): [int(x) for x in labels[:, 0]], k('data'): data,
                  k('filenames'): [k('f%d.png' % i) for i in range(len(data))]}, os.path.join(d10, b))
        dump({k('num_cases_per_batch'): 2, k('num_vis'): 3072,
              k('label_names'): [k(n) for n in names(os.path.join(src10, 'batches.meta.txt'))]},
             os.path.join(d10, 'batches.meta'))
        for b in ['train', 'test']:
            labels, data = records(os.path.join(src100, b + '.bin'), 2)
            dump({k('filenames'): [k('f%d.png' % i) for i in range(len(data))], k('batch_label'): k(b),
                  k('fine_labels'): [int(x) for x in labels[:, 1]],
                  k('coarse_labels'): [int(x) for x in labels[:, 0]], k('data'): data}, os.path.join(d100, b))
        dump({k('fine_label_names'): [k(n) for n in names(os.path.join(src100, 'fine_label_names.txt'))],
              k('coarse_label_names'): [k(n) for n in names(os.path.join(src100, 'coarse_label_names.txt'))]},
             os.path.join(d100, 'meta'))
)PY";

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("unexpected exception type: ") + e.what();
    }
    return QStringLiteral("no error");
}

Records concat(const std::vector<Batch>& batches, bool test)
{
    Records all;
    for (const Batch& b : batches) {
        const bool isTest = b.name == "test_batch" || b.name == "test";
        if (isTest != test)
            continue;
        all.fine.insert(all.fine.end(), b.records.fine.begin(), b.records.fine.end());
        all.coarse.insert(all.coarse.end(), b.records.coarse.begin(), b.records.coarse.end());
        all.pixels.insert(all.pixels.end(), b.records.pixels.begin(), b.records.pixels.end());
    }
    return all;
}

}  // namespace

class TestCifar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        writeBinary10(root() / "bin" / "cifar-10-batches-bin");
        writeBinary100(root() / "bin" / "cifar-100-binary");
        writePy2_10(root() / "py2" / "cifar-10-batches-py");
        writePy2_100(root() / "py2" / "cifar-100-python");
        const QString error = runPython(
            QString::fromUtf8(convertScript),
            {QString::fromStdString((root() / "bin" / "cifar-10-batches-bin").string()),
             QString::fromStdString((root() / "py3" / "cifar-10-batches-py").string()),
             QString::fromStdString((root() / "bin" / "cifar-100-binary").string()),
             QString::fromStdString((root() / "py3" / "cifar-100-python").string()),
             QString::fromStdString((root() / "py2" / "cifar-10-batches-py").string()),
             QString::fromStdString((root() / "py2" / "cifar-100-python").string())});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString protocols = runPython(
            QString::fromUtf8(protocolsScript),
            {QString::fromStdString((root() / "bin" / "cifar-10-batches-bin").string()),
             QString::fromStdString((root() / "bin" / "cifar-100-binary").string()),
             QString::fromStdString((root() / "protocols").string())});
        QVERIFY2(protocols.isEmpty(), qPrintable(protocols));
    }

    void python3ProtocolsAndBytesKeysLoad_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<bool>("cifar100");
        for (const char* v : {"p0-str", "p0-bytes", "p1-str", "p1-bytes", "p2-str", "p2-bytes"})
            for (const bool c100 : {false, true})
                QTest::addRow("%s %s", v, c100 ? "cifar100" : "cifar10") << QString(v) << c100;
    }

    void python3ProtocolsAndBytesKeysLoad()
    {
        QFETCH(QString, variant);
        QFETCH(bool, cifar100);
        const auto kind = cifar100 ? CifarVariant::Cifar100 : CifarVariant::Cifar10;
        const fs::path folder = root() / "protocols" / variant.toStdString()
                                / (cifar100 ? "cifar-100-python" : "cifar-10-batches-py");
        for (const Split split : {Split::Train, Split::Test}) {
            const ImageSet reference = readCifar(root() / "bin" / (cifar100 ? "cifar-100-binary" : "cifar-10-batches-bin"),
                                                 kind, split);
            ImageSet set;
            const QString error = errorOf([&] { set = readCifar(folder, kind, split); });
            QVERIFY2(error == "no error", qPrintable(error));
            QCOMPARE(set.count, reference.count);
            QCOMPARE(set.pixels, reference.pixels);
            QCOMPARE(set.labels, reference.labels);
            QCOMPARE(set.coarseLabels, reference.coarseLabels);
            QCOMPARE(set.classNames, reference.classNames);
            QCOMPARE(set.coarseClassNames, reference.coarseClassNames);
        }
    }

    void binaryCifar10_data()
    {
        QTest::addColumn<bool>("test");
        QTest::newRow("train") << false;
        QTest::newRow("test") << true;
    }

    void binaryCifar10()
    {
        QFETCH(bool, test);
        const Records expected = concat(cifar10Batches(), test);
        const ImageSet set = readCifar10(root() / "bin" / "cifar-10-batches-bin", test ? Split::Test : Split::Train);
        QCOMPARE(set.count, std::int64_t(test ? 3 : 10));
        QCOMPARE(set.channels, std::int64_t(3));
        QCOMPARE(set.height, std::int64_t(32));
        QCOMPARE(set.width, std::int64_t(32));
        QCOMPARE(set.labels, expected.fine);
        QCOMPARE(set.pixels, expected.pixels);
        QCOMPARE(set.classNames, names10);
        QVERIFY(set.coarseLabels.empty());
        QVERIFY(set.coarseClassNames.empty());
    }

    void binaryCifar100()
    {
        for (const bool test : {false, true}) {
            const Records expected = concat(cifar100Batches(), test);
            const ImageSet set = readCifar100(root() / "bin" / "cifar-100-binary", test ? Split::Test : Split::Train);
            QCOMPARE(set.count, std::int64_t(test ? 3 : 4));
            QCOMPARE(set.labels, expected.fine);
            QCOMPARE(set.coarseLabels, expected.coarse);
            QCOMPARE(set.pixels, expected.pixels);
            QCOMPARE(set.classNames, names("fine", 100));
            QCOMPARE(set.coarseClassNames, names("coarse", 20));
        }
    }

    // Every version, given as the version folder or its parent, loads the same data.
    void versionsAgree_data()
    {
        QTest::addColumn<QString>("version");  // bin, py2, py3
        QTest::addColumn<bool>("parent");
        QTest::addColumn<bool>("cifar100");
        for (const char* v : {"bin", "py2", "py3"})
            for (const bool parent : {false, true})
                for (const bool c100 : {false, true})
                    QTest::addRow("%s %s %s", v, parent ? "parent" : "version folder", c100 ? "cifar100" : "cifar10")
                        << QString(v) << parent << c100;
    }

    void versionsAgree()
    {
        QFETCH(QString, version);
        QFETCH(bool, parent);
        QFETCH(bool, cifar100);
        const auto variant = cifar100 ? CifarVariant::Cifar100 : CifarVariant::Cifar10;
        const bool binary = version == "bin";
        const std::string sub = cifar100 ? (binary ? "cifar-100-binary" : "cifar-100-python")
                                         : (binary ? "cifar-10-batches-bin" : "cifar-10-batches-py");
        fs::path folder = root() / version.toStdString();
        if (!parent)
            folder /= sub;
        const CifarLocation location = locateCifar(folder, variant);
        QCOMPARE(location.format, binary ? CifarFormat::Binary : CifarFormat::Python);
        QCOMPARE(QString::fromStdString(location.folder.string()),
                 QString::fromStdString((root() / version.toStdString() / sub).string()));

        for (const Split split : {Split::Train, Split::Test}) {
            const ImageSet reference = readCifar(root() / "bin" / (cifar100 ? "cifar-100-binary" : "cifar-10-batches-bin"),
                                                 variant, split);
            const ImageSet set = readCifar(folder, variant, split);
            QCOMPARE(set.count, reference.count);
            QCOMPARE(set.channels, reference.channels);
            QCOMPARE(set.height, reference.height);
            QCOMPARE(set.width, reference.width);
            QCOMPARE(set.pixels, reference.pixels);
            QCOMPARE(set.labels, reference.labels);
            QCOMPARE(set.coarseLabels, reference.coarseLabels);
            QCOMPARE(set.classNames, reference.classNames);
            QCOMPARE(set.coarseClassNames, reference.coarseClassNames);
        }
    }

    void binaryErrors_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<bool>("cifar100");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << "truncated" << false
            << "data_batch_2.bin: truncated: 6145 bytes is not a whole number of 3073-byte records (1 records and 3072 bytes)";
        QTest::newRow("label out of range") << "label" << false
            << "data_batch_2.bin: label 10 at index 1 is out of range [0, 10)";
        QTest::newRow("empty batch") << "empty" << false << "data_batch_2.bin: empty file";
        QTest::newRow("missing batch") << "missing-batch" << false << "data_batch_2.bin: file not found";
        QTest::newRow("missing names") << "missing-meta" << false << "batches.meta.txt: file not found";
        QTest::newRow("too few names") << "few-names" << false << "batches.meta.txt: expected 10 class names, found 9";
        QTest::newRow("cifar100 truncated") << "truncated" << true
            << "train.bin: truncated: 12295 bytes is not a whole number of 3074-byte records (3 records and 3073 bytes)";
        QTest::newRow("cifar100 fine out of range") << "label" << true
            << "train.bin: fine label 100 at index 1 is out of range [0, 100)";
        QTest::newRow("cifar100 coarse out of range") << "coarse" << true
            << "train.bin: coarse label 20 at index 1 is out of range [0, 20)";
        QTest::newRow("cifar100 missing coarse names") << "missing-meta" << true
            << "coarse_label_names.txt: file not found";
        QTest::newRow("nothing there") << "nothing" << false
            << "no CIFAR-10 data found; looked for data_batch_1.bin, test_batch.bin, batches.meta.txt (binary version) "
               "or data_batch_1, test_batch, batches.meta (Python version) in";
        QTest::newRow("cifar100 nothing there") << "nothing" << true << "cifar-100-binary and";
    }

    void binaryErrors()
    {
        QFETCH(QString, problem);
        QFETCH(bool, cifar100);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = fs::path(dir.path().toStdString()) / "cifar";
        fs::create_directories(folder);
        if (problem != "nothing")
            cifar100 ? writeBinary100(folder) : writeBinary10(folder);
        const fs::path batch = folder / (cifar100 ? "train.bin" : "data_batch_2.bin");
        const int recordSize = cifar100 ? 3074 : 3073;
        Bytes bytes = fs::exists(batch) ? readAll(batch) : Bytes{};
        if (problem == "truncated")
            bytes.pop_back();
        else if (problem == "label")
            bytes[recordSize + (cifar100 ? 1 : 0)] = cifar100 ? 100 : 10;
        else if (problem == "coarse")
            bytes[recordSize] = 20;
        else if (problem == "empty")
            bytes.clear();
        if (problem != "nothing")
            QVERIFY(writeBytes(batch, bytes));
        if (problem == "missing-batch")
            fs::remove(batch);
        if (problem == "missing-meta")
            fs::remove(folder / (cifar100 ? "coarse_label_names.txt" : "batches.meta.txt"));
        if (problem == "few-names") {
            std::vector<std::string> nine(names10.begin(), names10.end() - 1);
            QVERIFY(writeText(folder / "batches.meta.txt", lines(nine)));
        }

        const QString message = errorOf([&] { readCifar(folder, cifar100 ? CifarVariant::Cifar100 : CifarVariant::Cifar10, Split::Train); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
    }

    void pythonErrors_data()
    {
        QTest::addColumn<int>("breakage");
        QTest::addColumn<bool>("cifar100");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a dict") << int(Breakage::TopLevelList) << false
            << "data_batch_1: expected a pickled dict, found a list of 2";
        QTest::newRow("missing data") << int(Breakage::NoData) << false
            << "data_batch_1: missing key 'data' (keys found: 'batch_label', 'labels', 'filenames')";
        QTest::newRow("wrong data length") << int(Breakage::WrongLength) << false
            << "data_batch_1: key 'data': numpy array of shape (2, 3072) and dtype u1 needs 6144 bytes of data, found 6143";
        QTest::newRow("wrong data shape") << int(Breakage::WrongShape) << false
            << "data_batch_1: key 'data': expected a C-order uint8 array of shape (N, 3072) or (N, 3, 32, 32), "
               "found shape (6, 1024)";
        QTest::newRow("label count") << int(Breakage::LabelCount) << false
            << "data_batch_1: key 'labels': 1 labels for 2 images";
        QTest::newRow("label out of range") << int(Breakage::LabelRange) << false
            << "data_batch_1: key 'labels': label 10 at index 1 is out of range [0, 10)";
        QTest::newRow("truncated") << int(Breakage::Truncated) << false << "truncated";
        QTest::newRow("cifar100 fine label out of range") << int(Breakage::LabelRange) << true
            << "train: key 'fine_labels': label 100 at index 3 is out of range [0, 100)";
        QTest::newRow("cifar100 missing data") << int(Breakage::NoData) << true << "train: missing key 'data'";
    }

    void pythonErrors()
    {
        QFETCH(int, breakage);
        QFETCH(bool, cifar100);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = dir.path().toStdString();
        cifar100 ? writePy2_100(folder) : writePy2_10(folder);
        const Batch first = cifar100 ? cifar100Batches().front() : cifar10Batches().front();
        QVERIFY(writeBytes(folder / first.name, py2Batch(first.records, static_cast<Breakage>(breakage))));
        const QString message = errorOf([&] { readCifar(folder, cifar100 ? CifarVariant::Cifar100 : CifarVariant::Cifar10, Split::Train); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
    }

    void pythonMetaErrors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = dir.path().toStdString();
        writePy2_10(folder);
        // The metadata pickled as a CIFAR-100 meta file: no 'label_names'.
        QVERIFY(writeBytes(folder / "batches.meta", py2Meta(true)));
        QString message = errorOf([&] { readCifar10(folder, Split::Test); });
        QVERIFY2(message.contains("batches.meta: missing key 'label_names' (keys found: 'fine_label_names', "
                                  "'coarse_label_names')"),
                 qPrintable(message));
        fs::remove(folder / "batches.meta");
        message = errorOf([&] { readCifar10(folder, Split::Test); });
        QVERIFY2(message.contains("batches.meta: file not found"), qPrintable(message));
    }

private:
    static Bytes readAll(const fs::path& p)
    {
        std::ifstream in(p, std::ios::binary);
        return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    fs::path root() const { return m_dir.path().toStdString(); }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCifar)
#include "test_cifar.moc"
