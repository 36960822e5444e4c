#pragma once
// A tiny Fashion-MNIST run for GUI tests: seconds on two CPU threads.
#include "train/run_config.h"

namespace scns::testing {

inline RunConfig tinyRun(const std::string& name, std::int64_t epochs = 1, std::int64_t trainPerClass = 20)
{
    RunConfig c;
    c.name = name;
    c.data.dataset = DatasetId::FashionMnist;
    c.data.trainPerClass = trainPerClass;
    c.data.testPerClass = 10;
    c.arch = "small-cnn";
    c.epochs = epochs;
    c.batchSize = 32;
    c.threads = 2;
    return c;
}

// The same with the contrastive term, class sampler and Latent Mixup, so similarity
// matrices and probe negatives (with pseudo-negatives) are recorded.
inline RunConfig tinyContrastiveRun(const std::string& name, std::int64_t epochs = 1)
{
    RunConfig c = tinyRun(name, epochs);
    c.contrastive.enabled = true;
    c.contrastive.sampler = SamplerKind::Class;
    c.contrastive.negatives = 64;
    c.contrastive.probeAnchors = 4;
    c.contrastive.probeNegatives = 8;
    c.contrastive.mixupCount = 2;
    return c;
}

}  // namespace scns::testing
