// The data-set registry: names, default folders, dispatch and its errors.
#include "common/errors.h"
#include "data/dataset_registry.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QTest>

using namespace scns;
using namespace scns::test;

namespace {

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("no error");
}

}  // namespace

class TestDatasetRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void names()
    {
        QCOMPARE(knownDatasets(), (std::vector<std::string>{"fashion-mnist", "cifar10", "cifar100", "tiny-imagenet"}));
        QCOMPARE(QString::fromStdString(defaultDatasetFolder("fashion-mnist").string()),
                 QStringLiteral("/usr/share/datasets/fashion-mnist"));
        QVERIFY(defaultDatasetFolder("cifar10").empty());
        QVERIFY(defaultDatasetFolder("tiny-imagenet").empty());
    }

    void unknownName()
    {
        const QString expected = QStringLiteral("unknown data set 'mnist' (known: fashion-mnist, cifar10, cifar100, tiny-imagenet)");
        QString message = errorOf([] { loadDataset("mnist", "/tmp", Split::Train); });
        QCOMPARE(message, expected);
        message = errorOf([] { defaultDatasetFolder("mnist"); });
        QCOMPARE(message, expected);
    }

    void folderRequired_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("cifar10") << "cifar10";
        QTest::newRow("cifar100") << "cifar100";
        QTest::newRow("tiny-imagenet") << "tiny-imagenet";
    }

    void folderRequired()
    {
        QFETCH(QString, name);
        const QString message = errorOf([&] { loadDataset(name.toStdString(), {}, Split::Test); });
        QCOMPARE(message, QStringLiteral("data set '%1' has no default location: give the folder that holds it").arg(name));
    }

    void dispatches()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path folder = dir.path().toStdString();
        Bytes record(3073, 7);
        record[0] = 4;
        QVERIFY(writeBytes(folder / "cifar-10-batches-bin" / "test_batch.bin", record));
        QVERIFY(writeText(folder / "cifar-10-batches-bin" / "batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"));
        const ImageSet set = loadDataset("cifar10", folder, Split::Test);
        QCOMPARE(set.count, std::int64_t(1));
        QCOMPARE(set.labels, std::vector<std::int64_t>{4});

        // The same folder holds no CIFAR-100 or Tiny-ImageNet: their readers say so.
        QVERIFY(errorOf([&] { loadDataset("cifar100", folder, Split::Test); }).contains("no CIFAR-100 data found"));
        QVERIFY(errorOf([&] { loadDataset("tiny-imagenet", folder, Split::Test); }).contains("missing wnids.txt"));
        QVERIFY(errorOf([&] { loadDataset("fashion-mnist", folder, Split::Test); }).contains("missing IDX file"));
    }

    void defaultFashionMnist()
    {
        if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
            QFAIL("Fashion-MNIST is not installed (/usr/share/datasets/fashion-mnist): install the Debian "
                  "package dataset-fashion-mnist (packaging/debian-packages.txt)");
        const ImageSet set = loadDataset("fashion-mnist", {}, Split::Test);
        QCOMPARE(set.count, std::int64_t(10000));
        QCOMPARE(set.numClasses(), std::int64_t(10));
    }
};

QTEST_GUILESS_MAIN(TestDatasetRegistry)
#include "test_dataset_registry.moc"
