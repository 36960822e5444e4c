#pragma once
// Turns an in-memory ImageSet into float batches: per-epoch shuffling, random crop with zero
// padding, horizontal flip, per-channel normalisation, and an optional background thread that
// prepares the next batch while the current one trains.
//
// Placement: by default batches are made in host memory (pinned when the run's device is a
// GPU, so that the trainer's copy is asynchronous). With `onDevice`, the whole set is copied to
// `device` once as uint8 and each batch is gathered, cropped, flipped and normalised there by
// tensor operations; the draws (order, offsets, flips) are the same host draws, so both
// placements give the same batches, value for value.
//
// Reproducibility: the order and the augmentation of epoch e depend only on (seed, e), so a
// run resumed at epoch e sees exactly the batches an uninterrupted run would.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <array>
#include <thread>
#include <vector>

#include <torch/types.h>

#include "data/image_set.h"

namespace scns {

struct Normalization {
    std::vector<float> mean;  // one per channel, in [0, 1] pixel units
    std::vector<float> std;
};

// The customary constants of a known data set (CIFAR-100's are RepDistiller's), else the
// statistics of `train` itself.
Normalization normalizationFor(const std::string& dataset, const ImageSet& train);

struct Batch {
    torch::Tensor images;   // B x C x H x W float32, normalised; on the device with onDevice
    torch::Tensor labels;   // B int64, host memory
    torch::Tensor indices;  // B int64, host memory: positions in the ImageSet (memory-bank rows)
    torch::Tensor deviceLabels;  // B int64 on the device (onDevice only; else undefined)
};

// How many bytes a set takes when held on a device (its uint8 pixels and int64 labels).
std::int64_t deviceBytes(const ImageSet& data);

struct LoaderOptions {
    std::int64_t batchSize = 128;
    bool shuffle = true;
    bool dropLast = false;
    std::int64_t cropPadding = 0;
    bool flip = false;
    bool prefetch = true;
    std::uint64_t seed = 0;
    // The run's device. onDevice: the images live there (see the top of this file); else, on a
    // CUDA device, host batches are made in pinned memory.
    c10::Device device = c10::kCPU;
    bool onDevice = false;
    // A rank of a data-parallel run (docs/distributed.md) reads its shard of each epoch's order
    // (dist/shard.h): padded to equal length across ranks for training, unpadded for evaluation
    // (each sample counted once). batchSize is then this rank's part of the global batch. The
    // augmentation draws of a rank's batches are seeded from (seed, rank, epoch, batch).
    int shardRank = 0;
    int shardCount = 1;
    bool padShard = true;
};

class BatchLoader {
public:
    BatchLoader(std::shared_ptr<const ImageSet> data, Normalization norm, LoaderOptions options);
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    // Batches come from `provider(epoch)` instead of a shuffle of all images: `epochLength`
    // indices per epoch, batch after batch (class-balanced batches for SupCon). The provider
    // is called on the calling thread in startEpoch().
    using OrderProvider = std::function<std::vector<std::int64_t>(std::int64_t epoch)>;
    void setOrderProvider(std::int64_t epochLength, OrderProvider provider);

    std::int64_t batchesPerEpoch() const;
    // Indices per epoch on this rank: the data size (or the provider's epoch length), or its shard.
    std::int64_t epochLength() const;
    std::int64_t size() const { return m_data->count; }
    const ImageSet& data() const { return *m_data; }

    void startEpoch(std::int64_t epoch);
    // The next batch of the current epoch; nullopt when the epoch is done.
    std::optional<Batch> next();
    // Seconds next() spent blocked on the background thread since startEpoch().
    double waitSeconds() const { return m_waitSeconds; }

private:
    Batch makeBatch(std::int64_t batchIndex) const;
    Batch makeDeviceBatch(std::int64_t begin, std::int64_t n, bool augment, std::mt19937_64& rng) const;
    void produce();
    void stopProducer();

    std::shared_ptr<const ImageSet> m_data;
    Normalization m_norm;
    std::vector<std::array<float, 256>> m_lut;  // per channel: uint8 -> normalised float
    torch::Tensor m_devicePixels;  // onDevice: all pixels, flat uint8 on the device
    torch::Tensor m_deviceLabels;  // onDevice: N int64 on the device
    torch::Tensor m_deviceLut;     // onDevice: C * 256 floats, m_lut on the device
    LoaderOptions m_options;
    std::int64_t m_epoch = 0;
    std::vector<std::int64_t> m_order;
    OrderProvider m_provider;
    std::int64_t m_epochLength = 0;  // indices per epoch: the data size unless a provider is set
    std::int64_t m_nextBatch = 0;
    double m_waitSeconds = 0;

    // Prefetch: a bounded queue filled by one producer thread per epoch.
    std::thread m_producer;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Batch> m_queue;
    std::int64_t m_produced = 0;
    bool m_stop = false;
    std::exception_ptr m_producerError;
};

}  // namespace scns
