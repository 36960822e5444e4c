#pragma once
// The training set a run saw, rebuilt from its configuration (data set, folder, per-class cap
// and seed, exactly as the trainer builds it), so probe rows' training-set indices can be
// shown as images. Reading a data set takes a second or more: it happens on a worker thread,
// once per distinct data configuration, and is shared by every run that uses it.
#include <QImage>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "data/image_set.h"

namespace scns {

struct RunConfig;

class TrainingSetCache {
public:
    static TrainingSetCache& instance();

    // Blocks while reading (call on a worker thread); thread-safe; concurrent callers for the
    // same configuration wait for one read. Errors (DataError) propagate and are not cached.
    std::shared_ptr<const ImageSet> trainingSet(const RunConfig& config);
    // How many times a data set was read from disk (tests check the cache).
    int readCount() const;
    void clear();

private:
    using Key = std::tuple<std::string, std::string, std::int64_t, std::uint64_t>;
    mutable std::mutex m_mutex;
    std::map<Key, std::shared_ptr<const ImageSet>> m_sets;
    std::map<Key, std::shared_ptr<std::mutex>> m_loading;
    int m_reads = 0;
};

// Image `index` of the set (grey or RGB), a deep copy; a null image for an index outside it.
QImage imageOf(const ImageSet& set, std::int64_t index);

}  // namespace scns
