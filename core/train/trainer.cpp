#include "train/trainer.h"

#include <array>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/normalization.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include "common/errors.h"
#include "data/dataset_registry.h"
#include "data/loader.h"
#include "data/subset.h"
#include "data/to_device.h"
#include "dist/gradient_reducer.h"
#include "dist/replica_group.h"
#include "losses/kd_loss.h"
#include "models/batch_norm.h"
#include "models/pretrained.h"
#include "models/registry.h"
#include "train/checkpoint.h"
#include "train/contrastive_term.h"
#include "train/device.h"
#include "train/evaluate.h"
#include "train/lr_schedule.h"
#include "train/precision.h"
#include "train/teacher.h"
#include "train/training_callbacks.h"

namespace scns {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct DataSplits {
    std::shared_ptr<const ImageSet> train, test;
};

DataSplits loadData(const DataConfig& cfg, std::uint64_t seed)
{
    const std::string dataset = toString(cfg.dataset);
    ImageSet train = loadDataset(dataset, cfg.folder, Split::Train);
    ImageSet test = loadDataset(dataset, cfg.folder, Split::Test);
    if (cfg.trainPerClass > 0)
        train = capPerClass(train, cfg.trainPerClass, seed);
    if (cfg.testPerClass > 0)
        test = capPerClass(test, cfg.testPerClass, seed);
    if (train.numClasses() != test.numClasses() || train.channels != test.channels || train.height != test.height
        || train.width != test.width)
        throw DataError(dataset + " in '" + cfg.folder + "': train and test splits differ in classes or image size");
    if (train.count == 0 || test.count == 0)
        throw DataError(dataset + ": a split has no images");
    return {std::make_shared<const ImageSet>(std::move(train)), std::make_shared<const ImageSet>(std::move(test))};
}

// data.placement: auto holds the images on a GPU when both splits take at most this much.
constexpr std::int64_t kAutoDeviceBytes = std::int64_t{8} << 30;

bool imagesOnDevice(const RunConfig& cfg, const c10::Device& device, const DataSplits& data)
{
    switch (cfg.data.placement) {
    case DataPlacement::Host:
        return false;
    case DataPlacement::Device:
        return true;
    case DataPlacement::Auto:
        break;
    }
    return device.is_cuda() && deviceBytes(*data.train) + deviceBytes(*data.test) <= kAutoDeviceBytes;
}

LoaderOptions placed(LoaderOptions o, const c10::Device& device, bool onDevice)
{
    o.device = device;
    o.onDevice = onDevice;
    // Device batches are a few kernel launches: made on the training thread, in stream order.
    if (onDevice)
        o.prefetch = false;
    return o;
}

// This process's place in a data-parallel run (rank 0 of 1 without one).
struct Replica {
    ReplicaGroup* group = nullptr;  // null: one process
    int rank = 0, world = 1;
};

Replica replicaOf(ReplicaGroup* group)
{
    if (!group || group->worldSize() <= 1)
        return {};
    return {group, group->rank(), group->worldSize()};
}

// A replica reads its shard: padded to equal length for training (every replica takes the
// same number of steps), unpadded for evaluation (each sample once).
LoaderOptions sharded(LoaderOptions o, const Replica& r, bool pad)
{
    o.shardRank = r.rank;
    o.shardCount = r.world;
    o.padShard = pad;
    return o;
}

LoaderOptions trainLoaderOptions(const RunConfig& cfg, std::int64_t trainCount, const Replica& replica)
{
    LoaderOptions o;
    // The global batch, split evenly (the configuration is checked for that).
    o.batchSize = cfg.batchSize / replica.world;
    o.shuffle = true;
    // A last batch of one image cannot be batch-normalised in training mode: drop it.
    const std::int64_t perReplica = (trainCount + replica.world - 1) / replica.world;
    o.dropLast = perReplica % o.batchSize == 1;
    o.cropPadding = cfg.data.resolvedCropPadding();
    o.flip = cfg.data.resolvedFlip();
    o.prefetch = cfg.data.prefetch;
    o.seed = cfg.seed;
    return sharded(o, replica, true);
}

// In order, without augmentation: the test split, and the training set for reference outputs.
LoaderOptions evalLoaderOptions(const RunConfig& cfg)
{
    LoaderOptions o;
    o.batchSize = cfg.evalBatchSize;
    o.shuffle = false;
    o.prefetch = cfg.data.prefetch;
    return o;
}

// Network initialisation draws from LibTorch's global generator; runs started on several
// threads at once must not interleave their draws.
std::shared_ptr<NetworkImpl> buildSeededNetwork(const NetworkSpec& spec, std::uint64_t seed)
{
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    torch::manual_seed(seed);
    return buildNetwork(spec);
}

// Rank 0 gets every rank's `t` (concatenated in rank order, on t's device); the others get
// an undefined tensor.
torch::Tensor gatherToRankZero(ReplicaGroup& group, const torch::Tensor& t)
{
    const torch::Tensor all = group.gatherTo(t.to(torch::kCPU), 0);
    return all.defined() ? all.to(t.device()) : all;
}

// Embeddings and logits of the whole training set in eval mode (no augmentation): the
// reference outputs that model-based class similarity and the instance table are built from.
// head == nullptr (a fixed reference network, which has no projection head): the embeddings
// are its L2-normalised penultimate features.
// In a data-parallel run each replica computes its shard (the loader's) and the shards are
// gathered to rank 0, which builds the tables from them and broadcasts the tables
// (ContrastiveTerm::buildSampler); the other ranks get outputs with undefined tensors.
ReferenceOutputs referenceOutputs(NetworkImpl& model, ProjectionHeadImpl* head, BatchLoader& loader,
                                  const c10::Device& device, ReplicaGroup* group)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    if (head)
        head->eval();
    const auto n = loader.size();
    std::vector<torch::Tensor> embs, logitParts, rowParts;
    loader.startEpoch(0);
    while (auto batch = loader.next()) {
        const auto out = model.forwardAll(toDevice(batch->images, device));
        embs.push_back(head ? head->forward(out.features)
                            : torch::nn::functional::normalize(out.features,
                                                               torch::nn::functional::NormalizeFuncOptions().dim(1)));
        logitParts.push_back(out.logits);
        rowParts.push_back(toDevice(batch->indices, device));
    }
    model.train(wasTraining);
    if (head)
        head->train(wasTraining);
    torch::Tensor z = torch::cat(embs), logits = torch::cat(logitParts), rows = torch::cat(rowParts);
    if (group) {  // padded shards: the same row count on every replica
        z = gatherToRankZero(*group, z);
        logits = gatherToRankZero(*group, logits);
        rows = gatherToRankZero(*group, rows);
        if (group->rank() != 0)
            return {};
    }
    torch::Tensor emb = torch::empty({n, z.size(1)}, z.options());
    torch::Tensor allLogits = torch::empty({n, logits.size(1)}, logits.options());
    emb.index_copy_(0, rows, z);
    allLogits.index_copy_(0, rows, logits);
    return {emb, allLogits};
}

// The outputs of a fixed reference network (contrastive.reference.weights), computed once.
ReferenceOutputs fixedReference(const RunConfig& cfg, std::int64_t numClasses, BatchLoader& loader,
                                const c10::Device& device, ReplicaGroup* group)
{
    const std::string arch = cfg.contrastive.referenceArch.empty() ? cfg.arch : cfg.contrastive.referenceArch;
    PretrainedNetwork ref = loadPretrained(arch, cfg.contrastive.referenceWeights, numClasses);
    if (ref.spec.numClasses != numClasses)
        throw CheckpointError(cfg.contrastive.referenceWeights + ": the reference " + arch + " has "
                              + std::to_string(ref.spec.numClasses) + " classes, the data set " + std::to_string(numClasses));
    ref.network->to(device);
    return referenceOutputs(*ref.network, nullptr, loader, device, group);
}

// The newest checkpoint that can be read: resumeFrom, else each of resumeFallbacks in turn,
// so a corrupt or truncated newest file costs an epoch, not the run. Throws CheckpointError
// when none can be read.
CheckpointMeta loadNewestReadable(const TrainRequest& request, const std::string& arch, torch::nn::Module& model,
                                  torch::optim::SGD& optimizer, const LoadExtra& extra, TrainingObserver& observer)
{
    std::vector<std::filesystem::path> files{request.resumeFrom};
    files.insert(files.end(), request.resumeFallbacks.begin(), request.resumeFallbacks.end());
    std::string skipped, firstProblem;
    for (const auto& file : files) {
        try {
            const CheckpointMeta meta = loadCheckpoint(file, arch, model, optimizer, extra);
            if (!skipped.empty())
                observer.onNotice("resumed from " + file.filename().string() + " (epoch " + std::to_string(meta.epochsCompleted)
                                  + ") because " + skipped + " could not be read: " + firstProblem);
            return meta;
        } catch (const std::exception& e) {  // CheckpointError, or LibTorch's on a damaged file
            const std::string what = e.what();
            if (firstProblem.empty())
                firstProblem = what.substr(0, what.find('\n'));
            skipped += (skipped.empty() ? "" : ", ") + file.filename().string();
        }
    }
    throw CheckpointError("run " + std::to_string(request.runId) + " has no readable checkpoint (" + skipped + "; the newest: "
                          + firstProblem + "); resume it with --from-scratch to start it over from epoch 0");
}

// The contrastive term of a run, its heads' parameters appended to `parameters`; with SupCon,
// the training loader takes its class-balanced batch order.
std::unique_ptr<ContrastiveTerm> makeContrastiveTerm(const RunConfig& cfg, const DataSplits& data, NetworkImpl& model,
                                                     Teacher* teacher, const c10::Device& device, RunRecorder& recorder,
                                                     BatchLoader& trainLoader, std::vector<torch::Tensor>& parameters)
{
    ContrastiveTermTeacher crd;
    crd.crdFeatureDim = cfg.distill.usesCrd() ? teacher->featureDim() : 0;
    crd.fixedReference = teacher != nullptr;
    auto contrastive = std::make_unique<ContrastiveTerm>(cfg.contrastive, toString(cfg.data.dataset), *data.train, model.featureDim(),
                                                         device, cfg.seed, recorder, crd);
    for (const auto& p : contrastive->head()->parameters())
        parameters.push_back(p);
    if (contrastive->isCrd())  // CRD: the teacher's projection head trains with the student
        for (const auto& p : contrastive->teacherHead()->parameters())
            parameters.push_back(p);
    if (contrastive->usesBatchOrder()) {
        // SupCon: about one pass over the data per epoch, in class-balanced batches.
        const std::int64_t perEpoch = std::max<std::int64_t>(1, data.train->count / cfg.batchSize);
        trainLoader.setOrderProvider(perEpoch * cfg.batchSize, [term = contrastive.get(), batchSize = cfg.batchSize,
                                                                perEpoch](std::int64_t e) {
            return term->batchOrder(e, batchSize, perEpoch);
        });
    }
    return contrastive;
}

// Loss weights: gamma CE + alpha KD + beta L_con (docs/method.md "Objectives").
struct LossWeights {
    double gamma = 1, alpha = 0, beta = 0;
};

struct StepLosses {
    torch::Tensor logits;              // B x C
    torch::Tensor total, ce, kd, con;  // kd, con: undefined without that term
};

// One batch forward and its loss: the weighted sum of cross-entropy, KD (alpha > 0) and the
// contrastive term (CRD: against the teacher's features of the same batch).
// With precision bf16/fp16 the networks run under autocast; their outputs are taken back to
// float32 before the losses, so every loss, bank and statistic is computed in float32.
StepLosses forwardLosses(NetworkImpl& model, Teacher* teacher, ContrastiveTerm* contrastive, const Batch& batch,
                         const torch::Tensor& x, const torch::Tensor& y, const LossWeights& w, double temperature,
                         Precision precision)
{
    StepLosses l;
    NetworkOutput out, teacherOut;
    {
        const AutocastScope autocast(x.device(), precision);
        out = model.forwardAll(x);
        if (teacher)
            teacherOut = teacher->forward(x);
    }
    if (precision != Precision::Fp32) {
        for (NetworkOutput* o : {&out, &teacherOut})
            if (o->logits.defined()) {
                o->logits = o->logits.to(torch::kFloat32);
                o->features = o->features.to(torch::kFloat32);
            }
    }
    l.logits = out.logits;
    l.ce = torch::nn::functional::cross_entropy(out.logits, y);
    l.total = w.gamma == 1.0 ? l.ce : w.gamma * l.ce;
    if (teacher) {
        if (w.alpha > 0) {
            l.kd = kdLoss(out.logits, teacherOut.logits, temperature);
            l.total = l.total + w.alpha * l.kd;
        }
    }
    if (contrastive) {
        l.con = contrastive->loss(out.features, batch.indices, batch.labels,
                                  contrastive->isCrd() ? teacherOut.features : torch::Tensor());
        l.total = l.total + w.beta * l.con;
    }
    return l;
}

// What an epoch's batches add up to.
struct EpochTally {
    double lossSum = 0;  // sum of batch loss x batch size
    std::int64_t correct = 0, seen = 0;
};

// A step's values as read from the device.
struct ReadStep {
    TrainStep step;
    std::int64_t correct = 0, size = 0;
};

// The values each step reports (its loss, the loss's components, the correct count) stay on
// the device until read, together, every `every` steps (TrainRequest::readoutSteps): one host
// synchronisation per read instead of four per step.
class StepReadout {
public:
    // Replicas of a data-parallel run read at the same steps (no timed reads) and exchange
    // their values there: on a CPU every 8 steps instead of every step, so that the exchange
    // does not hold every step up once more after the gradients' (a stop then takes effect up
    // to 8 steps later).
    StepReadout(std::int64_t every, const c10::Device& device, const Replica& replica)
        : m_every(every > 0              ? every
                      : !device.is_cpu() ? 50
                      : replica.group    ? 8
                                         : 1)
        , m_timed(every == 0 && !device.is_cpu() && replica.group == nullptr)
        , m_replica(replica)
    {}

    void add(const TrainStep& t, const StepLosses& l, const torch::Tensor& y)
    {
        torch::NoGradGuard noGrad;
        const auto scalar = [](const torch::Tensor& v) { return v.detach().to(torch::kDouble).reshape({}); };
        const auto none = torch::full({}, std::nan(""), l.total.options().dtype(torch::kDouble));
        m_values.push_back(torch::stack({scalar(l.total), l.ce.defined() ? scalar(l.ce) : none,
                                         l.con.defined() ? scalar(l.con) : none, l.kd.defined() ? scalar(l.kd) : none,
                                         scalar(correctTopK(l.logits.detach(), y, 1))}));
        m_steps.push_back({t, 0, y.size(0)});
        m_components.push_back({l.ce.defined(), l.con.defined(), l.kd.defined()});
        if (m_steps.size() == 1)
            m_since = Clock::now();
    }

    bool due() const
    {
        return static_cast<std::int64_t>(m_steps.size()) >= m_every || (m_timed && !m_steps.empty() && secondsSince(m_since) >= 0.25);
    }

    // The pending steps with their values, oldest first; nothing is pending afterwards. In a
    // data-parallel run the values are the replicas' (losses averaged, counts summed: those of
    // the global batch), exchanged together with whether any replica was asked to stop, which
    // stopAgreed() says afterwards: every replica stops at the same step.
    std::vector<ReadStep> read(bool stopAsked = false)
    {
        std::vector<ReadStep> out;
        if (m_steps.empty())
            return out;
        auto values = torch::stack(m_values).to(torch::kCPU).contiguous();
        std::int64_t sizeFactor = 1;
        if (m_replica.group) {
            std::vector<torch::Tensor> all{
                torch::cat({values.reshape({-1}), torch::full({1}, stopAsked ? 1.0 : 0.0, torch::kDouble)})};
            m_replica.group->allReduceSum(all);
            m_stopAgreed = all[0][-1].item<double>() > 0;
            values = all[0].narrow(0, 0, values.numel()).view(values.sizes()).clone();
            values.narrow(1, 0, 4).div_(static_cast<double>(m_replica.world));
            sizeFactor = m_replica.world;  // every replica's batch has the same size (padded shards)
        }
        const auto a = values.accessor<double, 2>();
        for (std::size_t i = 0; i < m_steps.size(); ++i) {
            ReadStep r = m_steps[i];
            const auto k = static_cast<std::int64_t>(i);
            r.step.loss = a[k][0];
            if (m_components[i][0])
                r.step.ceLoss = a[k][1];
            if (m_components[i][1])
                r.step.contrastiveLoss = a[k][2];
            if (m_components[i][2])
                r.step.kdLoss = a[k][3];
            r.correct = static_cast<std::int64_t>(std::llround(a[k][4]));
            r.size *= sizeFactor;
            out.push_back(r);
        }
        m_values.clear();
        m_steps.clear();
        m_components.clear();
        return out;
    }

    bool stopAgreed() const { return m_stopAgreed; }

private:
    std::int64_t m_every;
    bool m_timed;
    Replica m_replica;
    bool m_stopAgreed = false;
    Clock::time_point m_since;
    std::vector<torch::Tensor> m_values;  // per step: loss, ce, con, kd (NaN: absent), correct
    std::vector<ReadStep> m_steps;
    std::vector<std::array<bool, 3>> m_components;
};

EpochSummary epochSummary(std::int64_t epoch, std::int64_t step, double lr, const EpochTally& tally, const EvalResult& test,
                          double trainSeconds, double evalSeconds, double waitSeconds)
{
    EpochSummary s;
    s.epoch = epoch;
    s.step = step;
    s.trainLoss = tally.lossSum / static_cast<double>(std::max<std::int64_t>(1, tally.seen));
    s.trainTop1 = 100.0 * static_cast<double>(tally.correct) / static_cast<double>(std::max<std::int64_t>(1, tally.seen));
    s.testLoss = test.loss;
    s.testTop1 = test.top1;
    s.testTop5 = test.top5;
    s.lr = lr;
    s.seconds = trainSeconds;
    s.evalSeconds = evalSeconds;
    s.imagesPerSecond = static_cast<double>(tally.seen) / std::max(1e-9, trainSeconds);
    s.dataWaitShare = waitSeconds / std::max(1e-9, trainSeconds);
    return s;
}

// Before epoch e: the reference outputs the contrastive term needs this epoch, then its
// beginEpoch(). A teacher is the reference network (its normalised penultimate features: its
// CRD head is untrained at this point); else contrastive.reference, else the model.
void beginContrastiveEpoch(ContrastiveTerm& contrastive, std::int64_t e, const RunConfig& cfg, NetworkImpl& model,
                           Teacher* teacher, std::int64_t numClasses, BatchLoader& referenceLoader,
                           const c10::Device& device, ReplicaGroup* group)
{
    std::optional<ReferenceOutputs> reference;
    if (contrastive.needsReference(e))
        reference = teacher ? referenceOutputs(teacher->network(), nullptr, referenceLoader, device, group)
            : cfg.contrastive.referenceWeights.empty()
            ? referenceOutputs(model, contrastive.head().get(), referenceLoader, device, group)
            : fixedReference(cfg, numClasses, referenceLoader, device, group);
    contrastive.beginEpoch(e, reference);
}

// The test split evaluated by every replica on its shard, the sums exchanged: the result of one
// process. Rank 0's buffers (batch-norm statistics) go to every replica first, as DDP sends
// them before each forward, so all evaluate the same network.
EvalResult evaluateReplicated(NetworkImpl& model, BatchLoader& loader, const c10::Device& device,
                              const Replica& replica)
{
    if (replica.group)
        broadcastTensors(*replica.group, model.buffers());
    EvalResult r = evaluate(model, loader, device);
    if (!replica.group)
        return r;
    const auto n = static_cast<double>(r.count);
    std::vector<double> v{r.loss * n, r.top1 * n / 100.0, r.top5 * n / 100.0, n};
    for (const std::int64_t c : r.confusion)
        v.push_back(static_cast<double>(c));
    v = sumOverRanks(*replica.group, v);
    r.count = std::llround(v[3]);
    const double total = static_cast<double>(std::max<std::int64_t>(1, r.count));
    r.loss = v[0] / total;
    r.top1 = 100.0 * static_cast<double>(std::llround(v[1])) / total;
    r.top5 = 100.0 * static_cast<double>(std::llround(v[2])) / total;
    for (std::size_t i = 0; i < r.confusion.size(); ++i)
        r.confusion[i] = std::llround(v[4 + i]);
    return r;
}

// A stop asked of any replica, agreed by all (a collective); one process: the token's.
bool stopAgreed(const Replica& replica, const std::stop_token& stop)
{
    if (!replica.group)
        return stop.stop_requested();
    return sumOverRanks(*replica.group, {stop.stop_requested() ? 1.0 : 0.0}).front() > 0;
}

std::int64_t countParameters(torch::nn::Module& m)
{
    std::int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

}  // namespace

RunResult train(const TrainRequest& request, TrainingObserver& observer, RunRecorder& recorder, std::stop_token stop)
{
    // A trusted configuration: validated where it entered (file, store, flags or editor).
    const RunConfig& cfg = request.config;
    const Replica replica = replicaOf(request.group);
    if (replica.world != cfg.distributed.processes)
        throw ConfigError({{"distributed.processes", std::to_string(cfg.distributed.processes),
                            "the world size the run was started with (" + std::to_string(replica.world) + ")"}});
    if (replica.group)
        replica.group->setGpuBackend(cfg.distributed.backend);
    c10::Device device = resolveDevice(cfg.device);
    if (replica.group && device.is_cuda() && cfg.device == "cuda")  // one GPU per local process
        device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(request.localRank));
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const int threads =
        configureThreads(cfg.threads == 0 && request.localProcesses > 1
                             ? std::max<long long>(1, cores / static_cast<unsigned>(request.localProcesses))
                             : cfg.threads);

    const DataSplits data = loadData(cfg.data, cfg.seed);
    const Normalization norm = normalizationFor(toString(cfg.data.dataset), *data.train);
    const bool onDevice = imagesOnDevice(cfg, device, data);
    BatchLoader trainLoader(data.train, norm,
                            placed(trainLoaderOptions(cfg, data.train->count, replica), device, onDevice));
    BatchLoader testLoader(data.test, norm, placed(sharded(evalLoaderOptions(cfg), replica, false), device, onDevice));

    auto model = buildSeededNetwork({cfg.arch, data.train->numClasses(), data.train->channels}, cfg.seed);
    model->to(device);
    model->train();
    if (cfg.channelsLast)
        toChannelsLast(model->parameters());
    std::unique_ptr<Teacher> teacher;
    std::uint64_t teacherHash = 0;
    if (cfg.distill.enabled()) {
        teacher = std::make_unique<Teacher>(cfg.distill, toString(cfg.data.dataset), *data.train, device);
        teacherHash = teacher->stateHash();
    }
    std::unique_ptr<ContrastiveTerm> contrastive;
    std::unique_ptr<BatchLoader> referenceLoader;
    std::vector<torch::Tensor> parameters = model->parameters();
    if (cfg.contrastive.enabled) {
        contrastive = makeContrastiveTerm(cfg, data, *model, teacher.get(), device, recorder, trainLoader, parameters);
        contrastive->setReplicaGroup(replica.group);
        referenceLoader = std::make_unique<BatchLoader>(
            data.train, norm, placed(sharded(evalLoaderOptions(cfg), replica, true), device, onDevice));
    }
    const SaveExtra saveExtra = contrastive ? SaveExtra([&](auto& a) { contrastive->save(a); }) : SaveExtra{};
    const LoadExtra loadExtra =
        contrastive ? LoadExtra([&](const auto& a, const std::string& source) { contrastive->load(a, source); })
                    : LoadExtra{};
    torch::optim::SGD optimizer(parameters, torch::optim::SGDOptions(cfg.optim.lr)
                                                         .momentum(cfg.optim.momentum)
                                                         .weight_decay(cfg.optim.weightDecay)
                                                         .nesterov(cfg.optim.nesterov));

    // fp16: the loss is scaled so that small gradients survive in float16 (precision.h).
    std::optional<LossScaler> scaler;
    if (cfg.precision == Precision::Fp16)
        scaler.emplace();

    std::int64_t startEpoch = 0, step = 0;
    if (!request.resumeFrom.empty()) {
        const CheckpointMeta meta = loadNewestReadable(request, cfg.arch, *model, optimizer, loadExtra, observer);
        startEpoch = meta.epochsCompleted;
        step = meta.step;
        recorder.resumedFrom(startEpoch);
    }
    if (replica.group) {
        // Every replica starts from rank 0's state, as DDP does (after a resume, each replica
        // read the checkpoint rank 0 chose; this makes sure they agree).
        std::vector<torch::Tensor> state = model->parameters();
        for (const auto& b : model->buffers())
            state.push_back(b);
        if (contrastive)
            for (const auto& t : contrastive->replicatedState())
                state.push_back(t);
        broadcastTensors(*replica.group, state);
    }
    // Gradients averaged over the ranks while backward runs (DDP's buckets).
    std::optional<GradientReducer> reducer;
    if (replica.group) {
        reducer.emplace(*replica.group, parameters);
        if (cfg.distributed.syncBatchNorm)
            syncBatchNorm(*model, replica.group);
    }

    if (teacher && startEpoch == 0) {
        const EvalResult t = evaluateReplicated(teacher->network(), testLoader, device, replica);
        recorder.metric(0, 0, metric::kTeacherTestTop1, t.top1);
        recorder.metric(0, 0, metric::kTeacherTestTop5, t.top5);
        recorder.flush();
    }
    LossWeights weights;
    weights.gamma = teacher ? cfg.distill.gamma() : 1.0;
    weights.alpha = teacher ? cfg.distill.alpha() : 0.0;
    weights.beta = cfg.distill.usesCrd() ? cfg.distill.beta() : cfg.contrastive.beta;

    const std::int64_t batches = trainLoader.batchesPerEpoch();
    const LrSchedule schedule(cfg.optim, cfg.schedule, cfg.epochs, batches);
    observer.onRunBegin({request.runId, cfg.epochs, startEpoch, batches, data.train->count, data.test->count,
                         data.train->numClasses(), countParameters(*model), device.str(), threads, replica.world});

    // The order is the order of each hook's calls: probes and metric rows are recorded and
    // flushed before the teacher is checked, and the checkpoint is written last.
    std::vector<std::unique_ptr<TrainingCallback>> callbacks;
    // Probes are recorded from rank 0's shard; every replica computes the metrics (their sampler
    // statistics are exchanged), only rank 0's recorder keeps them.
    if (contrastive && replica.rank == 0)
        callbacks.push_back(std::make_unique<ProbeRecording>(*contrastive));
    callbacks.push_back(std::make_unique<MetricRecording>(recorder, data.test->classNames, contrastive.get()));
    callbacks.push_back(
        std::make_unique<DivergenceCheck>(cfg.divergenceLoss, teacher.get(), teacherHash, cfg.distill.teacherWeights));
    if (replica.rank == 0 || request.checkpointEveryReplica)
        callbacks.push_back(std::make_unique<Checkpointing>(
            Checkpointing::Target{request.checkpointDir, cfg.checkpoint.keep, cfg.arch, toString(cfg.data.dataset)},
            *model, optimizer, saveExtra, recorder, observer));

    RunResult result;
    result.epochsCompleted = startEpoch;
    const auto stopRun = [&](RunOutcome outcome, std::string message) {
        result.outcome = outcome;
        result.message = std::move(message);
        observer.onRunEnd(result);
        return result;
    };
    const auto sessionStart = Clock::now();
    std::int64_t sessionBatches = 0;
    double evalSecondsTotal = 0;

    for (std::int64_t e = startEpoch; e < cfg.epochs; ++e) {
        const std::int64_t epoch = e + 1;
        if (stopAgreed(replica, stop))  // e.g. "pause at the next epoch": nothing of this epoch ran
            return stopRun(RunOutcome::Cancelled,
                           "stopped before epoch " + std::to_string(epoch) + "; resume continues after epoch "
                               + std::to_string(result.epochsCompleted));
        observer.onEpochBegin(epoch, batches);
        const auto epochStart = Clock::now();
        if (contrastive)
            beginContrastiveEpoch(*contrastive, e, cfg, *model, teacher.get(), data.train->numClasses(),
                                  *referenceLoader, device, replica.group);
        trainLoader.startEpoch(e);
        EpochTally tally;
        StepReadout readout(request.readoutSteps, device, replica);
        std::int64_t b = 0;
        double lr = schedule.at(step);

        // Delivers the steps read from the device: the divergence check, the metric rows, the
        // tally and the observer, step by step as if each had been read on its own.
        const auto deliver = [&]() -> std::optional<RunResult> {
            for (ReadStep& r : readout.read(stop.stop_requested())) {
                TrainStep& t = r.step;
                t.epochsCompleted = result.epochsCompleted;
                if (!(contrastive || teacher))
                    t.ceLoss.reset();  // the loss is the cross-entropy: recorded once, as train/loss
                for (const auto& callback : callbacks)
                    if (std::optional<std::string> why = callback->evaluate(t)) {
                        recorder.flush();
                        return stopRun(RunOutcome::Diverged, std::move(*why));
                    }
                tally.lossSum += t.loss * static_cast<double>(r.size);
                tally.correct += r.correct;
                tally.seen += r.size;
                for (const auto& callback : callbacks)
                    callback->stepTaken(t);
                const double elapsed = secondsSince(epochStart);
                const double perBatch = secondsSince(sessionStart) / static_cast<double>(std::max<std::int64_t>(1, sessionBatches));
                const double remainingBatches = static_cast<double>((cfg.epochs - epoch) * batches + (batches - t.batch));
                const double evalEstimate = (e > startEpoch ? evalSecondsTotal / static_cast<double>(e - startEpoch) : 0.0);
                observer.onBatchEnd({epoch, t.batch, batches, t.step, t.loss, t.lr,
                                     static_cast<double>(tally.seen) / std::max(1e-9, elapsed),
                                     perBatch * remainingBatches + evalEstimate * static_cast<double>(cfg.epochs - e)});
            }
            return std::nullopt;
        };

        while (auto batch = trainLoader.next()) {
            if (replica.group ? readout.stopAgreed() : stop.stop_requested()) {
                if (auto diverged = deliver())
                    return *diverged;
                recorder.flush();
                return stopRun(RunOutcome::Cancelled, "cancelled in epoch " + std::to_string(epoch) + " at batch "
                                                          + std::to_string(b + 1) + "; resume continues after epoch "
                                                          + std::to_string(result.epochsCompleted));
            }
            lr = schedule.at(step);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);

            auto x = toDevice(batch->images, device);
            if (cfg.channelsLast)
                x = x.contiguous(torch::MemoryFormat::ChannelsLast);
            const auto y = batch->deviceLabels.defined() ? batch->deviceLabels : toDevice(batch->labels, device);
            const StepLosses losses = forwardLosses(*model, teacher.get(), contrastive.get(), *batch, x, y, weights,
                                                    cfg.distill.temperature, cfg.precision);
            TrainStep t;
            t.epoch = epoch;
            t.batch = ++b;
            t.step = ++step;
            t.lr = lr;
            ++sessionBatches;
            readout.add(t, losses, y);
            if (readout.due())
                if (auto diverged = deliver())
                    return *diverged;
            optimizer.zero_grad();
            if (reducer)
                reducer->prepare();
            if (scaler) {
                scaler->scale(losses.total).backward();
                if (reducer)
                    reducer->finish();
                const bool finite = scaler->unscale(parameters);
                if (finite)
                    optimizer.step();
                scaler->update(finite);
            } else {
                losses.total.backward();
                if (reducer)
                    reducer->finish();
                optimizer.step();
            }
            if (contrastive)
                contrastive->afterStep();
        }
        if (auto diverged = deliver())
            return *diverged;
        const double trainSeconds = secondsSince(epochStart);
        const double waitSeconds = trainLoader.waitSeconds();

        const auto evalStart = Clock::now();
        const EvalResult test = evaluateReplicated(*model, testLoader, device, replica);
        const double evalSeconds = secondsSince(evalStart);
        evalSecondsTotal += evalSeconds;

        const EpochSummary s = epochSummary(epoch, step, lr, tally, test, trainSeconds, evalSeconds, waitSeconds);
        for (const auto& callback : callbacks)
            callback->endEpoch({s, test.confusion});

        result.epochsCompleted = epoch;
        result.last = s;
        observer.onEpochEnd(s);
    }
    result.outcome = RunOutcome::Finished;
    if (result.last)
        result.message = "test top-1 " + std::to_string(result.last->testTop1) + "%";
    observer.onRunEnd(result);
    return result;
}

}  // namespace scns
