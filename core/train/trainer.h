#pragma once
// The supervised (cross-entropy) training loop: data, network, SGD, schedule, evaluation
// after each epoch, checkpoints, divergence detection and cooperative cancellation.
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

#include "train/metric_names.h"  // the names train() records, here for its callers
#include "train/observer.h"
#include "train/recorder.h"
#include "train/run_config.h"

namespace scns {

class ReplicaGroup;

struct TrainRequest {
    RunConfig config;
    std::int64_t runId = 0;
    std::filesystem::path checkpointDir;  // epoch-N.pt files go here
    std::filesystem::path resumeFrom;     // empty: start from scratch
    // Older checkpoints, newest first, tried in turn when resumeFrom cannot be read (each
    // skipped one is reported through TrainingObserver::onNotice).
    std::vector<std::filesystem::path> resumeFallbacks;
    // Steps whose losses are read from the device together (one host synchronisation per
    // read): 0 chooses, 1 on a CPU (as if read every step: a diverged loss stops the run before
    // its update), 8 on CPUs in a data-parallel run (each read is an exchange between the
    // processes), on a GPU every 50 steps or 0.25 s, whichever comes first, so that the GPU
    // never waits for the host and live curves stay live. The recorded values are the same.
    std::int64_t readoutSteps = 0;
    // A data-parallel run (docs/distributed.md): this process is replica group->rank() of
    // group->worldSize(), which must be config.distributed.processes. Each replica reads its
    // shard of every global batch, gradients are averaged, banks take every replica's rows, and
    // only rank 0 records (the other replicas get a recorder that keeps nothing) and writes
    // checkpoints. Null or a world of 1: one process.
    ReplicaGroup* group = nullptr;
    // Processes of the run on this machine: with config.threads = 0 each takes its share of
    // the cores; this one's place among them (device cuda means cuda:localRank).
    int localProcesses = 1;
    int localRank = 0;
    // Every replica writes its checkpoints into checkpointDir (tests compare them); by default
    // only rank 0 does.
    bool checkpointEveryReplica = false;
};

// Runs on the calling thread until the run finishes, diverges or `stop` is requested (checked
// every batch). Bad input (data, config, checkpoint) throws a typed scns::Error; the caller
// decides how to report it (train/run_job.h marks the run failed).
RunResult train(const TrainRequest& request, TrainingObserver& observer, RunRecorder& recorder,
                std::stop_token stop);

}  // namespace scns
