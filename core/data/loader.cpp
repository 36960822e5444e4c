#include "data/loader.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <random>

#include "common/errors.h"
#include "data/to_device.h"
#include "dist/shard.h"

namespace scns {

namespace {
constexpr std::size_t kQueueDepth = 3;

// Mixes (seed, epoch, stream) into one 64-bit seed (splitmix64), so different streams and
// epochs never share a sequence.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t epoch, std::uint64_t stream)
{
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (epoch + 1) * 0xBF58476D1CE4E5B9ull ^ stream * 0x94D049BB133111EBull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
}  // namespace

Normalization normalizationFor(const std::string& dataset, const ImageSet& train)
{
    static const std::map<std::string, Normalization> known = {
        {"fashion-mnist", {{0.2860f}, {0.3530f}}},
        {"cifar10", {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}}},
        {"cifar100", {{0.5071f, 0.4867f, 0.4408f}, {0.2675f, 0.2565f, 0.2761f}}},
        {"tiny-imagenet", {{0.4802f, 0.4481f, 0.3975f}, {0.2302f, 0.2265f, 0.2262f}}},
    };
    auto it = known.find(dataset);
    if (it != known.end() && static_cast<std::int64_t>(it->second.mean.size()) == train.channels)
        return it->second;
    Normalization n;
    const std::int64_t plane = train.height * train.width;
    for (std::int64_t c = 0; c < train.channels; ++c) {
        double sum = 0, sq = 0;
        for (std::int64_t i = 0; i < train.count; ++i) {
            const std::uint8_t* p = train.pixels.data() + i * train.imageBytes() + c * plane;
            for (std::int64_t k = 0; k < plane; ++k) {
                const double v = p[k] / 255.0;
                sum += v;
                sq += v * v;
            }
        }
        const double cnt = std::max<double>(1, static_cast<double>(train.count * plane));
        const double mean = sum / cnt;
        n.mean.push_back(static_cast<float>(mean));
        n.std.push_back(static_cast<float>(std::max(1e-3, std::sqrt(std::max(0.0, sq / cnt - mean * mean)))));
    }
    return n;
}

BatchLoader::BatchLoader(std::shared_ptr<const ImageSet> data, Normalization norm, LoaderOptions options)
    : m_data(std::move(data)), m_norm(std::move(norm)), m_options(options)
{
    if (m_options.batchSize < 1)
        throw ConfigError({{"batch_size", std::to_string(m_options.batchSize), "at least 1"}});
    if (static_cast<std::int64_t>(m_norm.mean.size()) != m_data->channels
        || static_cast<std::int64_t>(m_norm.std.size()) != m_data->channels)
        throw DataError("normalisation has " + std::to_string(m_norm.mean.size()) + " channels, images have "
                        + std::to_string(m_data->channels));
    if (m_options.dropLast && m_data->count < m_options.batchSize)
        throw ConfigError({{"batch_size", std::to_string(m_options.batchSize),
                            "at most the number of training images (" + std::to_string(m_data->count) + ")"}});
    const std::int64_t C = m_data->channels;
    m_lut.resize(static_cast<std::size_t>(C));
    for (std::int64_t c = 0; c < C; ++c)
        for (int v = 0; v < 256; ++v)
            m_lut[c][v] = (v / 255.0f - m_norm.mean[c]) / m_norm.std[c];
    if (m_options.onDevice) {
        const ImageSet& d = *m_data;
        const auto dev = m_options.device;
        // from_blob does not copy: on the CPU the tensor is a view of the ImageSet (kept alive by
        // m_data), on a GPU .to() makes the one copy.
        auto* pixels = const_cast<std::uint8_t*>(d.pixels.data());
        m_devicePixels = torch::from_blob(pixels, {d.count * d.imageBytes()}, torch::kUInt8).to(dev);
        m_deviceLabels = torch::tensor(d.labels, torch::kInt64).to(dev);
        m_deviceLut = torch::from_blob(m_lut.data(), {C * 256}, torch::kFloat32).clone().to(dev);
    }
}

std::int64_t deviceBytes(const ImageSet& data)
{
    return data.count * data.imageBytes() + data.count * static_cast<std::int64_t>(sizeof(std::int64_t));
}

BatchLoader::~BatchLoader() { stopProducer(); }

void BatchLoader::setOrderProvider(std::int64_t epochLength, OrderProvider provider)
{
    if (epochLength < 1)
        throw ConfigError({{"batch_size", std::to_string(m_options.batchSize), "batches that fit the training set"}});
    m_epochLength = epochLength;
    m_provider = std::move(provider);
}

std::int64_t BatchLoader::batchesPerEpoch() const
{
    const auto n = epochLength(), b = m_options.batchSize;
    return m_options.dropLast ? n / b : (n + b - 1) / b;
}

std::int64_t BatchLoader::epochLength() const
{
    const std::int64_t n = m_provider ? m_epochLength : m_data->count;
    const std::int64_t w = m_options.shardCount, r = m_options.shardRank;
    if (w <= 1)
        return n;
    return m_options.padShard ? (n + w - 1) / w : (n - r + w - 1) / w;
}

void BatchLoader::startEpoch(std::int64_t epoch)
{
    stopProducer();
    m_epoch = epoch;
    m_nextBatch = 0;
    m_waitSeconds = 0;
    if (m_provider) {
        m_order = m_provider(epoch);
        if (static_cast<std::int64_t>(m_order.size()) != m_epochLength)
            throw DataError("batch order for epoch " + std::to_string(epoch) + " has " + std::to_string(m_order.size())
                            + " indices, expected " + std::to_string(m_epochLength));
    } else {
        m_order.resize(static_cast<std::size_t>(m_data->count));
        std::iota(m_order.begin(), m_order.end(), 0);
    }
    if (m_options.shuffle && !m_provider) {
        std::mt19937_64 rng(mixSeed(m_options.seed, static_cast<std::uint64_t>(epoch), 1));
        std::shuffle(m_order.begin(), m_order.end(), rng);
    }
    if (m_options.shardCount > 1)
        m_order = m_options.padShard ? shardOf(m_order, m_options.shardRank, m_options.shardCount)
                                     : unpaddedShardOf(m_order, m_options.shardRank, m_options.shardCount);
    if (m_options.prefetch) {
        m_stop = false;
        m_produced = 0;
        m_queue.clear();
        m_producerError = nullptr;
        m_producer = std::thread([this] { produce(); });
    }
}

void BatchLoader::stopProducer()
{
    if (!m_producer.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_producer.join();
    m_queue.clear();
}

void BatchLoader::produce()
{
    try {
        for (std::int64_t b = 0; b < batchesPerEpoch(); ++b) {
            Batch batch = makeBatch(b);
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || m_queue.size() < kQueueDepth; });
            if (m_stop)
                return;
            m_queue.push_back(std::move(batch));
            ++m_produced;
            m_cv.notify_all();
        }
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_producerError = std::current_exception();
        m_cv.notify_all();
    }
}

std::optional<Batch> BatchLoader::next()
{
    if (m_nextBatch >= batchesPerEpoch())
        return std::nullopt;
    if (!m_options.prefetch)
        return makeBatch(m_nextBatch++);
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_queue.empty() || m_producerError; });
    m_waitSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (m_producerError)
        std::rethrow_exception(m_producerError);
    Batch batch = std::move(m_queue.front());
    m_queue.pop_front();
    ++m_nextBatch;
    m_cv.notify_all();
    return batch;
}

Batch BatchLoader::makeBatch(std::int64_t batchIndex) const
{
    const ImageSet& d = *m_data;
    const std::int64_t begin = batchIndex * m_options.batchSize;
    const std::int64_t end = std::min<std::int64_t>(begin + m_options.batchSize, static_cast<std::int64_t>(m_order.size()));
    const std::int64_t n = end - begin;
    const std::int64_t C = d.channels, H = d.height, W = d.width, P = m_options.cropPadding;
    const bool augment = m_options.shuffle && (P > 0 || m_options.flip);
    // One rank reads as one process did; the others have draws of their own.
    const std::uint64_t seed = m_options.shardRank == 0
        ? m_options.seed
        : mixSeed(m_options.seed, static_cast<std::uint64_t>(m_options.shardRank), 0x5ca1e);
    std::mt19937_64 rng(mixSeed(seed, static_cast<std::uint64_t>(m_epoch), 2 + static_cast<std::uint64_t>(batchIndex)));
    if (m_options.onDevice)
        return makeDeviceBatch(begin, n, augment, rng);

    // Pinned host memory when a GPU trains: the trainer's copy is then asynchronous.
    const bool pinned = m_options.device.is_cuda();
    auto images = torch::empty({n, C, H, W}, torch::TensorOptions(torch::kFloat32).pinned_memory(pinned));
    auto labels = torch::empty({n}, torch::TensorOptions(torch::kInt64).pinned_memory(pinned));
    auto indices = torch::empty({n}, torch::TensorOptions(torch::kInt64).pinned_memory(pinned));
    float* out = images.data_ptr<float>();
    std::int64_t* lab = labels.data_ptr<std::int64_t>();
    std::int64_t* idx = indices.data_ptr<std::int64_t>();

    // A padded pixel has the value of a black one.
    const auto& lut = m_lut;
    std::vector<float> padValue(static_cast<std::size_t>(C));
    for (std::int64_t c = 0; c < C; ++c)
        padValue[c] = lut[c][0];

    std::uniform_int_distribution<std::int64_t> shift(0, 2 * P);
    std::bernoulli_distribution coin(0.5);

    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t src = m_order[static_cast<std::size_t>(begin + i)];
        idx[i] = src;
        lab[i] = d.labels[static_cast<std::size_t>(src)];
        const std::uint8_t* img = d.pixels.data() + src * d.imageBytes();
        float* dst = out + i * C * H * W;
        if (!augment) {
            for (std::int64_t c = 0; c < C; ++c)
                for (std::int64_t k = 0; k < H * W; ++k)
                    dst[c * H * W + k] = lut[c][img[c * H * W + k]];
            continue;
        }
        const std::int64_t dy = P > 0 ? shift(rng) - P : 0;
        const std::int64_t dx = P > 0 ? shift(rng) - P : 0;
        const bool flip = m_options.flip && coin(rng);
        for (std::int64_t c = 0; c < C; ++c) {
            for (std::int64_t y = 0; y < H; ++y) {
                const std::int64_t sy = y + dy;
                float* row = dst + c * H * W + y * W;
                if (sy < 0 || sy >= H) {
                    std::fill(row, row + W, padValue[c]);
                    continue;
                }
                const std::uint8_t* srow = img + c * H * W + sy * W;
                for (std::int64_t x = 0; x < W; ++x) {
                    const std::int64_t sx = (flip ? W - 1 - x : x) + dx;
                    row[x] = (sx < 0 || sx >= W) ? padValue[c] : lut[c][srow[sx]];
                }
            }
        }
    }
    return {images, labels, indices, {}};
}

// The same draws as the host path, in the same order (dy, dx, flip per image), then one gather
// per output pixel: source pixel index, or a black pixel where the crop leaves the image, mapped
// through the same lookup table. Equal to the host batch value for value, on any device.
Batch BatchLoader::makeDeviceBatch(std::int64_t begin, std::int64_t n, bool augment, std::mt19937_64& rng) const
{
    const ImageSet& d = *m_data;
    const std::int64_t C = d.channels, H = d.height, W = d.width, P = m_options.cropPadding;
    const auto dev = m_options.device;
    auto indices = torch::from_blob(const_cast<std::int64_t*>(m_order.data()) + begin, {n}, torch::kInt64).clone();
    auto labels = torch::empty({n}, torch::kInt64);
    for (std::int64_t i = 0; i < n; ++i)
        labels.data_ptr<std::int64_t>()[i] = d.labels[static_cast<std::size_t>(indices.data_ptr<std::int64_t>()[i])];

    // Per image: row shift, column shift, flip; as the host path draws them.
    auto draws = torch::zeros({3, n}, torch::kInt64);
    if (augment) {
        std::uniform_int_distribution<std::int64_t> shift(0, 2 * P);
        std::bernoulli_distribution coin(0.5);
        auto a = draws.accessor<std::int64_t, 2>();
        for (std::int64_t i = 0; i < n; ++i) {
            a[0][i] = P > 0 ? shift(rng) - P : 0;
            a[1][i] = P > 0 ? shift(rng) - P : 0;
            a[2][i] = m_options.flip && coin(rng) ? 1 : 0;
        }
    }
    const auto idx = toDevice(indices, dev);
    const auto opts = torch::TensorOptions(torch::kInt64).device(dev);
    const auto c = torch::arange(C, opts).view({1, C, 1, 1});
    torch::Tensor values;  // n x C x H x W uint8 values as int64 (0 where padded)
    if (!augment) {
        values = m_devicePixels.view({d.count, C, H, W}).index_select(0, idx).to(torch::kInt64);
    } else {
        const auto dd = toDevice(draws, dev);
        const auto dy = dd[0].view({n, 1, 1, 1}), dx = dd[1].view({n, 1, 1, 1}), flip = dd[2].view({n, 1, 1, 1});
        const auto y = torch::arange(H, opts).view({1, 1, H, 1});
        const auto x = torch::arange(W, opts).view({1, 1, 1, W});
        const auto sy = y + dy;
        const auto sx = torch::where(flip.eq(1), (W - 1) - x, x) + dx;
        const auto inside = sy.ge(0).logical_and(sy.lt(H)).logical_and(sx.ge(0)).logical_and(sx.lt(W));
        const auto source = idx.view({n, 1, 1, 1}) * (C * H * W) + c * (H * W) + sy.clamp(0, H - 1) * W + sx.clamp(0, W - 1);
        values = m_devicePixels.take(source).to(torch::kInt64).masked_fill_(inside.logical_not(), 0);
    }
    Batch batch;
    batch.images = m_deviceLut.take(values + c * 256);
    batch.labels = labels;
    batch.indices = indices;
    batch.deviceLabels = m_deviceLabels.index_select(0, idx);
    return batch;
}

}  // namespace scns
