// BatchLoader: normalisation, crop/flip geometry, per-epoch reproducibility, prefetch equals
// synchronous batches, every image once per epoch.
#include <QtTest>

#include <set>

#include "common/errors.h"
#include "data/loader.h"
#include "test_device.h"

using namespace scns;

namespace {
// n images of 1 x 4 x 4 whose pixel (y, x) = 16 * image + 4 * y + x (distinct, checkable).
std::shared_ptr<ImageSet> ramp(std::int64_t n)
{
    auto s = std::make_shared<ImageSet>();
    s->count = n;
    s->channels = 1;
    s->height = 4;
    s->width = 4;
    s->classNames = {"a", "b"};
    for (std::int64_t i = 0; i < n; ++i) {
        s->labels.push_back(i % 2);
        for (int k = 0; k < 16; ++k)
            s->pixels.push_back(static_cast<std::uint8_t>((16 * i + k) % 256));
    }
    return s;
}

Normalization identity() { return {{0.0f}, {1.0f / 255.0f}}; }  // float value == pixel value

std::vector<Batch> epoch(BatchLoader& l, std::int64_t e)
{
    std::vector<Batch> out;
    l.startEpoch(e);
    while (auto b = l.next())
        out.push_back(*b);
    return out;
}
}  // namespace

class TestLoader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalisesWithoutAugmentation()
    {
        auto data = ramp(5);
        BatchLoader l(data, {{0.5f}, {0.25f}}, {.batchSize = 2, .shuffle = false, .prefetch = false});
        QCOMPARE(l.batchesPerEpoch(), std::int64_t(3));
        const auto batches = epoch(l, 0);
        QCOMPARE(int(batches.size()), 3);
        QCOMPARE(batches[2].images.size(0), 1);  // last partial batch kept
        const float v = batches[0].images[1][0][2][3].item<float>();
        const float pixel = 16 * 1 + 4 * 2 + 3;
        QVERIFY(std::abs(v - (pixel / 255.0f - 0.5f) / 0.25f) < 1e-5f);
        QCOMPARE(batches[1].labels[0].item<std::int64_t>(), std::int64_t(0));
        QCOMPARE(batches[1].indices[1].item<std::int64_t>(), std::int64_t(3));
    }

    void everyImageOncePerEpochAndOrderDependsOnEpochOnly()
    {
        auto data = ramp(50);
        LoaderOptions o{.batchSize = 8, .shuffle = true, .prefetch = true, .seed = 11};
        BatchLoader a(data, identity(), o), b(data, identity(), o);
        std::set<std::int64_t> seen;
        for (const auto& batch : epoch(a, 3))
            for (int i = 0; i < batch.indices.size(0); ++i)
                seen.insert(batch.indices[i].item<std::int64_t>());
        QCOMPARE(int(seen.size()), 50);
        // Epoch 3 again, from another loader, after visiting other epochs: identical.
        epoch(b, 0);
        epoch(b, 1);
        const auto x = epoch(a, 3), y = epoch(b, 3);
        QCOMPARE(x.size(), y.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY(torch::equal(x[i].indices, y[i].indices));
        QVERIFY(!torch::equal(epoch(a, 4)[0].indices, x[0].indices));
    }

    void prefetchGivesTheSameBatches()
    {
        auto data = ramp(40);
        LoaderOptions o{.batchSize = 7, .shuffle = true, .cropPadding = 1, .flip = true, .prefetch = true, .seed = 5};
        BatchLoader threaded(data, identity(), o);
        o.prefetch = false;
        BatchLoader inline_(data, identity(), o);
        const auto x = epoch(threaded, 2), y = epoch(inline_, 2);
        QCOMPARE(x.size(), y.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY(torch::equal(x[i].images, y[i].images));
    }

    void cropAndFlipAreShiftsAndMirrorsOfTheImage()
    {
        // Each augmented image must equal the source shifted by (dy, dx) in [-P, P] with zero
        // padding, optionally mirrored; and over many draws both flips and shifts occur.
        auto data = ramp(64);
        const std::int64_t P = 2;
        BatchLoader l(data, identity(), {.batchSize = 64, .shuffle = true, .cropPadding = P, .flip = true, .prefetch = false});
        int flipped = 0, shifted = 0;
        for (const auto& batch : epoch(l, 0)) {
            for (int i = 0; i < batch.images.size(0); ++i) {
                const auto idx = batch.indices[i].item<std::int64_t>();
                const auto img = batch.images[i][0];
                bool matched = false;
                for (int f = 0; f < 2 && !matched; ++f)
                    for (std::int64_t dy = -P; dy <= P && !matched; ++dy)
                        for (std::int64_t dx = -P; dx <= P && !matched; ++dx) {
                            bool ok = true;
                            for (int y = 0; y < 4 && ok; ++y)
                                for (int x = 0; x < 4 && ok; ++x) {
                                    const std::int64_t sy = y + dy, sx = (f ? 3 - x : x) + dx;
                                    const float want = (sy < 0 || sy > 3 || sx < 0 || sx > 3)
                                                           ? 0.0f
                                                           : float((16 * idx + 4 * sy + sx) % 256);
                                    ok = std::abs(img[y][x].item<float>() - want) < 1e-3f;
                                }
                            if (ok) {
                                matched = true;
                                flipped += f;
                                shifted += (dy != 0 || dx != 0);
                            }
                        }
                QVERIFY2(matched, qPrintable(QString("image %1 is not a padded crop/flip of its source").arg(idx)));
            }
        }
        QVERIFY(flipped > 10 && flipped < 54);
        QVERIFY(shifted > 32);
    }

    // Images held on the device (SCNS_TEST_DEVICE; the CPU by default) and cropped, flipped and
    // normalised there by tensor operations: the same batches as the host path, value for value,
    // for RGB images with padding 2 and flips, over several epochs, and for evaluation order.
    void devicePlacementGivesTheHostBatches()
    {
        auto data = std::make_shared<ImageSet>();
        data->count = 37;
        data->channels = 3;
        data->height = 5;
        data->width = 6;
        data->classNames = {"a", "b", "c"};
        for (std::int64_t i = 0; i < data->count; ++i) {
            data->labels.push_back(i % 3);
            for (std::int64_t k = 0; k < data->imageBytes(); ++k)
                data->pixels.push_back(static_cast<std::uint8_t>((i * 131 + k * 7) % 256));
        }
        const Normalization norm{{0.2f, 0.5f, 0.7f}, {0.3f, 0.25f, 0.2f}};
        for (const bool augment : {true, false}) {
            LoaderOptions host{.batchSize = 8, .shuffle = augment, .cropPadding = augment ? 2 : 0, .flip = augment,
                               .prefetch = false, .seed = 11};
            LoaderOptions dev = host;
            dev.device = test::device();
            dev.onDevice = true;
            BatchLoader a(data, norm, host), b(data, norm, dev);
            for (std::int64_t e = 0; e < 3; ++e) {
                const auto x = epoch(a, e), y = epoch(b, e);
                QCOMPARE(y.size(), x.size());
                for (std::size_t k = 0; k < x.size(); ++k) {
                    QCOMPARE(y[k].images.device(), dev.device);
                    QVERIFY(y[k].images.to(torch::kCPU).equal(x[k].images));  // bit for bit
                    QVERIFY(y[k].labels.equal(x[k].labels));
                    QVERIFY(y[k].indices.equal(x[k].indices));
                    QVERIFY(y[k].deviceLabels.to(torch::kCPU).equal(x[k].labels));
                }
            }
            // Not a comparison of two empty things: the augmented batches do differ from plain ones.
            if (augment) {
                LoaderOptions plain = host;
                plain.cropPadding = 0;
                plain.flip = false;
                BatchLoader c(data, norm, plain);
                QVERIFY(!epoch(c, 1)[0].images.equal(epoch(a, 1)[0].images));
            }
        }
    }

    void evaluationOrderIsFixed()
    {
        auto data = ramp(10);
        BatchLoader l(data, identity(), {.batchSize = 4, .shuffle = false, .cropPadding = 4, .flip = true});
        const auto b = epoch(l, 7);
        QCOMPARE(b[0].indices[0].item<std::int64_t>(), std::int64_t(0));
        // No augmentation without shuffling (evaluation loaders): pixel (0, 1) of image 0 is 1.
        QCOMPARE(b[0].images[0][0][0][1].item<float>(), 1.0f);
    }

    void badSettingsAreErrors()
    {
        auto data = ramp(3);
        QVERIFY_THROWS_EXCEPTION(ConfigError, BatchLoader(data, identity(), {.batchSize = 0}));
        QVERIFY_THROWS_EXCEPTION(DataError, BatchLoader(data, {{0.1f, 0.2f}, {1.f, 1.f}}, {.batchSize = 2}));
    }

    void knownDataSetsUseTheirConstants()
    {
        auto data = ramp(3);
        QCOMPARE(normalizationFor("fashion-mnist", *data).mean[0], 0.2860f);
        const Normalization own = normalizationFor("unknown", *data);
        QCOMPARE(int(own.mean.size()), 1);
        QVERIFY(own.std[0] > 0);
    }
};

QTEST_GUILESS_MAIN(TestLoader)
#include "test_loader.moc"
