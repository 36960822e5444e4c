#include "views/training_set_cache.h"

#include "data/dataset_registry.h"
#include "data/subset.h"
#include "train/run_config.h"

namespace scns {

TrainingSetCache& TrainingSetCache::instance()
{
    static TrainingSetCache cache;
    return cache;
}

std::shared_ptr<const ImageSet> TrainingSetCache::trainingSet(const RunConfig& config)
{
    const Key key{toString(config.data.dataset), config.data.folder, config.data.trainPerClass, config.seed};
    std::shared_ptr<std::mutex> keyMutex;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_sets.find(key); it != m_sets.end())
            return it->second;
        auto& m = m_loading[key];
        if (!m)
            m = std::make_shared<std::mutex>();
        keyMutex = m;
    }
    // One reader per configuration; the others wait here and then find it in m_sets.
    std::lock_guard keyLock(*keyMutex);
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_sets.find(key); it != m_sets.end())
            return it->second;
    }
    // As the trainer does (train/trainer.cpp loadData): read, then cap per class with the
    // run's seed, so indices match the run's training set.
    ImageSet train = loadDataset(toString(config.data.dataset), config.data.folder, Split::Train);
    if (config.data.trainPerClass > 0)
        train = capPerClass(train, config.data.trainPerClass, config.seed);
    auto set = std::make_shared<const ImageSet>(std::move(train));
    std::lock_guard lock(m_mutex);
    ++m_reads;
    m_sets[key] = set;
    return set;
}

int TrainingSetCache::readCount() const
{
    std::lock_guard lock(m_mutex);
    return m_reads;
}

void TrainingSetCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_sets.clear();
}

QImage imageOf(const ImageSet& set, std::int64_t index)
{
    if (index < 0 || index >= set.count)
        return {};
    const int w = static_cast<int>(set.width), h = static_cast<int>(set.height);
    const std::uint8_t* px = set.pixels.data() + index * set.imageBytes();
    if (set.channels == 1) {
        QImage img(w, h, QImage::Format_Grayscale8);
        for (int y = 0; y < h; ++y)
            std::copy_n(px + y * w, w, img.scanLine(y));
        return img;
    }
    // Planar C x H x W (C >= 3) to interleaved RGB.
    QImage img(w, h, QImage::Format_RGB888);
    const std::int64_t plane = static_cast<std::int64_t>(w) * h;
    for (int y = 0; y < h; ++y) {
        uchar* line = img.scanLine(y);
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                line[3 * x + c] = px[c * plane + y * w + x];
    }
    return img;
}

}  // namespace scns
