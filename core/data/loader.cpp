#include "data/loader.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <random>

#include "common/errors.h"

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
    const auto n = m_provider ? m_epochLength : m_data->count, b = m_options.batchSize;
    return m_options.dropLast ? n / b : (n + b - 1) / b;
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

    auto images = torch::empty({n, C, H, W}, torch::kFloat32);
    auto labels = torch::empty({n}, torch::kInt64);
    auto indices = torch::empty({n}, torch::kInt64);
    float* out = images.data_ptr<float>();
    std::int64_t* lab = labels.data_ptr<std::int64_t>();
    std::int64_t* idx = indices.data_ptr<std::int64_t>();

    // Per-channel lookup table: uint8 -> normalised float, plus the value of a padded pixel.
    std::vector<std::array<float, 256>> lut(static_cast<std::size_t>(C));
    std::vector<float> padValue(static_cast<std::size_t>(C));
    for (std::int64_t c = 0; c < C; ++c) {
        for (int v = 0; v < 256; ++v)
            lut[c][v] = (v / 255.0f - m_norm.mean[c]) / m_norm.std[c];
        padValue[c] = lut[c][0];
    }

    const bool augment = m_options.shuffle && (P > 0 || m_options.flip);
    std::mt19937_64 rng(mixSeed(m_options.seed, static_cast<std::uint64_t>(m_epoch),
                                2 + static_cast<std::uint64_t>(batchIndex)));
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
    return {images, labels, indices};
}

}  // namespace scns
