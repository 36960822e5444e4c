#include "train/contrastive_term.h"

#include <algorithm>
#include <numeric>
#include <random>


#include "common/errors.h"
#include "losses/crd_loss.h"
#include "losses/gather_dot.h"
#include "losses/info_nce.h"
#include "losses/nce_loss.h"
#include "losses/sup_con.h"
#include "models/load_state_dict.h"
#include "models/state_dict.h"
#include "train/checkpoint.h"
#include "sampling/class_balanced_batch.h"
#include "sampling/class_sampler.h"
#include "sampling/counter_rng.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/instance_sampler.h"
#include "sampling/memory_bank.h"
#include "sampling/mixup.h"
#include "sampling/uniform_sampler.h"
#include "semantic/class_distribution.h"
#include "semantic/class_similarity.h"
#include "semantic/instance_topk.h"

namespace scns {

namespace {
// Distinct seed streams for the generators of one run (splitmix-style mixing).
std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t epoch, std::uint64_t stream)
{
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (epoch + 1) * 0xD1B54A32D192ED03ull + stream * 0x8CB92BA72F3D8DD7ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

enum Stream : std::uint64_t {
    kSampler = 11, kMixup = 12, kPositive = 13, kBank = 14, kProbe = 15, kBatches = 16, kTeacherBank = 17
};

std::vector<float> toVector(const torch::Tensor& S)
{
    const auto c = S.to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
}  // namespace

ContrastiveTerm::ContrastiveTerm(const ContrastiveConfig& config, const std::string& dataset, const ImageSet& train,
                                 std::int64_t backboneFeatureDim, c10::Device device, std::uint64_t seed,
                                 RunRecorder& recorder, ContrastiveTermTeacher teacher)
    : m_config(config),
      m_dataset(dataset),
      m_classNames(train.classNames),
      m_numClasses(train.numClasses()),
      m_device(device),
      m_seed(seed),
      m_recorder(recorder),
      m_samplerGen(makeGenerator(streamSeed(seed, 0, kSampler))),
      m_mixupGen(makeGenerator(streamSeed(seed, 0, kMixup))),
      m_positiveGen(makeGenerator(streamSeed(seed, 0, kPositive))),
      m_bankGen(makeGenerator(streamSeed(seed, 0, kBank))),
      m_batchGen(makeGenerator(streamSeed(seed, 0, kBatches)))
{
    m_labels = torch::tensor(train.labels, torch::kInt64);
    const std::int64_t n = train.count;
    m_byClass.resize(static_cast<std::size_t>(m_numClasses));
    for (std::int64_t i = 0; i < n; ++i)
        m_byClass[static_cast<std::size_t>(train.labels[i])].push_back(i);
    if (config.positive == Positive::SameClass && teacher.crdFeatureDim == 0)
        for (std::int64_t c = 0; c < m_numClasses; ++c)
            if (m_byClass[c].size() < 2)
                throw ConfigError({{"contrastive.positive", toString(config.positive),
                                    "self when a class has fewer than 2 training images (class '" + m_classNames[c]
                                        + "' has " + std::to_string(m_byClass[c].size()) + ")"}});

    m_head = ProjectionHead(ProjectionHeadOptions(backboneFeatureDim).outDim(config.featureDim));
    m_head->to(device);
    if (config.objective != Objective::SupCon)
        m_bank = std::make_unique<MemoryBank>(n, config.featureDim, m_bankGen, device);
    if (config.mixupCount > 0)
        m_mixup = std::make_unique<LatentMixup>(
            MixupOptions().count(config.mixupCount).alpha(config.mixupAlpha).mode(config.mixupMode),
            m_mixupGen);
    if (config.objective == Objective::Nce)
        m_nce = std::make_unique<NceLoss>(NceLossOptions(n).tau(config.tau));
    m_fixedReference = teacher.fixedReference || !config.referenceWeights.empty();
    if (teacher.crdFeatureDim > 0) {
        if (config.objective == Objective::SupCon)
            throw ConfigError({{"contrastive.objective", toString(config.objective), "infonce or nce in CRD distillation"}});
        m_teacherHead = ProjectionHead(ProjectionHeadOptions(teacher.crdFeatureDim).outDim(config.featureDim));
        m_teacherHead->to(device);
        at::Generator teacherBankGen = makeGenerator(streamSeed(seed, 0, kTeacherBank));
        m_teacherBank = std::make_unique<MemoryBank>(n, config.featureDim, teacherBankGen, device);
        if (config.objective == Objective::Nce)
            m_teacherNce = std::make_unique<NceLoss>(NceLossOptions(n).tau(config.tau));
    }

    // Probe anchors: spread over the classes, chosen by the seed, fixed for the run.
    m_isProbe.assign(static_cast<std::size_t>(n), 0);
    std::mt19937_64 rng(streamSeed(seed, 0, kProbe));
    std::vector<std::vector<std::int64_t>> pools = m_byClass;
    for (auto& pool : pools)
        std::shuffle(pool.begin(), pool.end(), rng);
    for (std::int64_t i = 0; i < std::min<std::int64_t>(config.probeAnchors, n); ++i) {
        auto& pool = pools[static_cast<std::size_t>(i % m_numClasses)];
        const auto j = static_cast<std::size_t>(i / m_numClasses);
        if (j < pool.size())
            m_isProbe[static_cast<std::size_t>(pool[j])] = 1;
    }

    // Sources that need no network are built once, before training.
    if (config.similarity == ClassSimilaritySource::WordNet || config.similarity == ClassSimilaritySource::File) {
        const torch::Tensor S = config.similarity == ClassSimilaritySource::WordNet
                                    ? wordnetClassSimilarity(dataset, train.classIds.empty() ? train.classNames : train.classIds)
                                    : fileClassSimilarity(config.similarityFile, train.classNames);
        setSimilarity(S, config.similarity, 0);
    }
}

ContrastiveTerm::~ContrastiveTerm() = default;

bool ContrastiveTerm::needsReference(std::int64_t epochIndex) const
{
    const bool modelBased = m_config.sampler == SamplerKind::Instance
                            || (m_config.sampler == SamplerKind::Class && (m_config.similarity == ClassSimilaritySource::Visual || m_config.similarity == ClassSimilaritySource::Confusion));
    // After a resume the sampler does not exist yet: build it from the resumed model.
    const bool refresh = !m_fixedReference && epochIndex % m_config.refreshEpochs == 0;
    return modelBased && (refresh || !m_built);
}

void ContrastiveTerm::setSimilarity(const torch::Tensor& S, ClassSimilaritySource source, std::int64_t epoch)
{
    const torch::Tensor Sc = S.to(torch::kCPU, torch::kFloat32);
    m_recorder.classSimilarity(epoch, toString(source), m_classNames, toVector(Sc));
    m_similarity = Sc;
    // Statistics ("share from the top-k classes") need the top-k set even for other samplers.
    if (m_config.classK >= 1 && m_config.classK < m_numClasses)
        m_topKClassMask = classSamplingDistribution(Sc, m_config.classK, m_config.classTau, true).gt(0);
}

void ContrastiveTerm::buildSampler(const std::optional<ReferenceOutputs>& reference, std::int64_t epoch)
{
    if (reference && m_config.sampler == SamplerKind::Class) {
        const torch::Tensor S = m_config.similarity == ClassSimilaritySource::Visual
                                    ? visualClassSimilarity(reference->embeddings, m_labels.to(reference->embeddings.device()), m_numClasses)
                                    : confusionClassSimilarity(reference->logits, m_labels.to(reference->logits.device()));
        setSimilarity(S, m_config.similarity, epoch);
    }
    m_built = true;
    if (usesBatchOrder()) {
        // In-batch SupCon: the class similarity shapes which classes share a batch.
        if (m_config.sampler == SamplerKind::Class)
            m_batchDistribution = classSamplingDistribution(m_similarity, m_config.classK, m_config.classTau,
                                                            m_config.classUniform);
        return;
    }
    std::shared_ptr<NegativeSampler> inner;
    auto uniform = std::make_shared<UniformSampler>(m_labels, m_numClasses, m_samplerGen);
    if (m_config.sampler == SamplerKind::Uniform) {
        inner = uniform;
    } else if (m_config.sampler == SamplerKind::Class) {
        if (!m_similarity.defined())
            throw ConfigError({{"contrastive.class.similarity", toString(m_config.similarity), "a source that gives a class similarity"}});
        const auto dist = classSamplingDistribution(m_similarity, m_config.classK, m_config.classTau, m_config.classUniform);
        inner = std::make_shared<ClassSampler>(m_labels, m_numClasses, dist, m_samplerGen);
    } else {
        const auto table = buildInstanceTopK(reference->embeddings, m_labels.to(reference->embeddings.device()),
                                             m_config.instanceK, m_config.instanceOtherClassesOnly);
        inner = std::make_shared<InstanceSampler>(
            m_labels, m_numClasses, table->indices.cpu(), table->similarities.cpu(),
            m_config.instanceWeighting,
            m_config.instanceTau, m_samplerGen);
    }
    m_sampler = (m_config.epsilon > 0 && m_config.sampler != SamplerKind::Uniform)
                    ? std::make_shared<EpsilonSampler>(inner, m_config.epsilon, uniform, m_samplerGen)
                    : inner;
}

void ContrastiveTerm::beginEpoch(std::int64_t epochIndex, const std::optional<ReferenceOutputs>& reference)
{
    m_epochIndex = epochIndex;
    // Generators are handles shared with the sampler and mixup: reseeding here makes the draws
    // of epoch e depend on (seed, e) only, so a resumed run repeats them.
    m_samplerGen.set_current_seed(streamSeed(m_seed, static_cast<std::uint64_t>(epochIndex), kSampler));
    m_mixupGen.set_current_seed(streamSeed(m_seed, static_cast<std::uint64_t>(epochIndex), kMixup));
    m_positiveGen.set_current_seed(streamSeed(m_seed, static_cast<std::uint64_t>(epochIndex), kPositive));
    m_batchGen.set_current_seed(streamSeed(m_seed, static_cast<std::uint64_t>(epochIndex), kBatches));
    if (reference || !m_built)
        buildSampler(reference, epochIndex);
    m_lossSum = m_cosSum = m_topKSum = m_sameSum = m_fromTopKSum = 0;
    m_batches = m_negCount = 0;
    m_probeRows.clear();
}

std::vector<std::int64_t> ContrastiveTerm::batchOrder(std::int64_t epochIndex, std::int64_t batchSize, std::int64_t batches)
{
    const std::int64_t m = m_config.supconSamplesPerClass;
    std::vector<std::int64_t> order;
    order.reserve(static_cast<std::size_t>(batchSize * batches));
    for (std::int64_t b = 0; b < batches; ++b) {
        const auto batch = buildClassBalancedBatch(m_labels, m_numClasses, m, batchSize / m,
                                                   m_batchDistribution.defined() ? m_batchDistribution : torch::Tensor(),
                                                   m_batchGen);
        order.insert(order.end(), batch.data_ptr<std::int64_t>(), batch.data_ptr<std::int64_t>() + batch.numel());
    }
    return order;
}

torch::Tensor ContrastiveTerm::supConLossWithStats(const torch::Tensor& z, const torch::Tensor& labels)
{
    torch::Tensor L = supConLoss(z, labels.to(z.device()), m_config.tau);
    torch::NoGradGuard noGrad;
    // In-batch negatives: every pair of different classes.
    const auto cos = torch::mm(z.detach(), z.detach().t()).to(torch::kCPU);
    const auto differ = labels.unsqueeze(1).ne(labels.unsqueeze(0));
    const auto pairs = differ.sum().item<double>();
    m_cosSum += cos.masked_select(differ).sum().item<double>();
    if (m_topKClassMask.defined()) {
        const auto rows = labels.unsqueeze(1).expand({labels.size(0), labels.size(0)});
        const auto cols = labels.unsqueeze(0).expand({labels.size(0), labels.size(0)});
        m_topKSum += m_topKClassMask.index({rows, cols}).logical_and(differ).sum().item<double>();
    }
    m_negCount += static_cast<std::int64_t>(pairs);
    m_lossSum += L.item<double>();
    ++m_batches;
    return L;
}

torch::Tensor ContrastiveTerm::positives(const torch::Tensor& indices, const torch::Tensor& labels)
{
    if (m_config.positive == Positive::Self)
        return indices;
    const auto B = indices.size(0);
    auto out = torch::empty({B}, torch::kInt64);
    const std::int64_t* idx = indices.data_ptr<std::int64_t>();
    const std::int64_t* lab = labels.data_ptr<std::int64_t>();
    std::int64_t* o = out.data_ptr<std::int64_t>();
    const CounterRng rng(nextKey(m_positiveGen));
    for (std::int64_t b = 0; b < B; ++b) {
        // Another member of the anchor's class: draw among count - 1 and step over the anchor.
        const auto& pool = m_byClass[static_cast<std::size_t>(lab[b])];
        const auto pick = static_cast<std::int64_t>(CounterRng::below(rng.at(static_cast<std::uint64_t>(b)), pool.size() - 1));
        const auto self = std::lower_bound(pool.begin(), pool.end(), idx[b]) - pool.begin();
        o[b] = pool[static_cast<std::size_t>(pick >= self ? pick + 1 : pick)];
    }
    return out;
}

torch::Tensor ContrastiveTerm::loss(const torch::Tensor& features, const torch::Tensor& indices, const torch::Tensor& labels,
                                    const torch::Tensor& teacherFeatures)
{
    const auto idx = indices.to(torch::kCPU).contiguous();
    const auto lab = labels.to(torch::kCPU).contiguous();
    const torch::Tensor z = m_head->forward(features);  // B x d, unit rows
    if (usesBatchOrder())
        return supConLossWithStats(z, lab);
    TORCH_CHECK(isCrd() == teacherFeatures.defined(), "ContrastiveTerm::loss: teacher features are needed exactly in CRD");
    const SampledNegatives neg = m_sampler->sample(idx, m_config.negatives);
    // Negatives stay rows of the bank: the fused kernels read them once and never build the
    // B x K x d tensor (268 MB at B = 128, K = 4096; see docs/benchmarks.md "Sampler cost").
    // CRD: the student's anchors contrast against the teacher's bank (and back).
    const torch::Tensor& bank = isCrd() ? m_teacherBank->state() : m_bank->state();
    const torch::Tensor negIdx = neg.indices.to(m_device);
    PseudoNegatives pseudo;
    if (m_mixup)
        pseudo = m_mixup->generateFromBank(z.detach(), bank, negIdx);
    torch::Tensor L;
    if (isCrd()) {
        const torch::Tensor zT = m_teacherHead->forward(teacherFeatures);
        CrdBatch b{z, zT, m_bank->state(), bank, idx.to(m_device), negIdx, pseudo.embeddings, {}};
        if (m_mixup)
            b.teacherPseudo = m_mixup->generateFromBank(zT.detach(), m_bank->state(), negIdx).embeddings;
        L = m_nce ? crdNce(b, *m_nce, *m_teacherNce) : crdInfoNce(b, m_config.tau);
        m_lastTeacherZ = zT.detach();
    } else {
        const torch::Tensor pos = m_bank->rows(positives(idx, lab));  // B x d
        L = m_nce ? m_nce->forwardBank(z, pos, bank, negIdx)
                  : bankInfoNce(z, pos, bank, negIdx, m_config.tau, pseudo.embeddings);
    }

    {
        torch::NoGradGuard noGrad;
        const auto zd = z.detach();
        const auto cos = gatherDot(zd, bank, negIdx).to(torch::kCPU);  // B x K
        const auto negLabels = m_labels.index({neg.indices});
        m_cosSum += cos.sum().item<double>();
        m_sameSum += negLabels.eq(lab.unsqueeze(1)).sum().item<double>();
        m_fromTopKSum += neg.fromTopK.sum().item<double>();
        if (m_topKClassMask.defined())
            m_topKSum += m_topKClassMask.index({lab.unsqueeze(1).expand_as(negLabels), negLabels}).sum().item<double>();
        m_negCount += neg.indices.numel();
        m_lossSum += L.item<double>();
        ++m_batches;
        recordProbes(idx, lab, zd, neg.indices, neg.fromTopK, cos, pseudo.embeddings, pseudo.sourceA, pseudo.sourceB,
                     pseudo.lambdas);
    }
    m_lastIndices = idx;
    m_lastZ = z.detach();
    return L;
}

void ContrastiveTerm::recordProbes(const torch::Tensor& indices, const torch::Tensor& labels, const torch::Tensor& z,
                                   const torch::Tensor& negIdx, const torch::Tensor& fromTopK, const torch::Tensor& negCos,
                                   const torch::Tensor& pseudo, const torch::Tensor& srcA, const torch::Tensor& srcB,
                                   const torch::Tensor& lambdas)
{
    const std::int64_t* idx = indices.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < indices.size(0); ++b) {
        if (!m_isProbe[static_cast<std::size_t>(idx[b])])
            continue;
        const std::int64_t anchorClass = labels[b].item<std::int64_t>();
        const std::int64_t shown = std::min<std::int64_t>(m_config.probeNegatives, negIdx.size(1));
        for (std::int64_t j = 0; j < shown; ++j) {
            ProbeNegativeRow r;
            r.anchorIndex = idx[b];
            r.anchorClass = anchorClass;
            r.slot = j;
            r.sampleIndex = negIdx[b][j].item<std::int64_t>();
            r.sampleClass = m_labels[r.sampleIndex].item<std::int64_t>();
            r.similarity = negCos[b][j].item<double>();
            r.fromTopK = fromTopK[b][j].item<bool>();
            m_probeRows.push_back(r);
        }
        if (!pseudo.defined())
            continue;
        const auto pcos = torch::mv(pseudo[b], z[b]).to(torch::kCPU);
        for (std::int64_t q = 0; q < pseudo.size(1); ++q) {
            ProbeNegativeRow r;
            r.anchorIndex = idx[b];
            r.anchorClass = anchorClass;
            r.slot = shown + q;
            r.kind = "pseudo";
            r.similarity = pcos[q].item<double>();
            // Sources as training-set indices (-1: the anchor itself).
            const auto a = srcA[b][q].item<std::int64_t>(), s = srcB[b][q].item<std::int64_t>();
            r.sourceA = a < 0 ? -1 : negIdx[b][a].item<std::int64_t>();
            r.sourceB = s < 0 ? -1 : negIdx[b][s].item<std::int64_t>();
            r.lambda = lambdas[b][q].item<double>();
            m_probeRows.push_back(r);
        }
    }
}

void ContrastiveTerm::afterStep()
{
    if (m_lastIndices.defined()) {
        const auto rows = m_lastIndices.to(m_device);
        m_bank->update(rows, m_lastZ, m_config.momentum);
        if (m_teacherBank)
            m_teacherBank->update(rows, m_lastTeacherZ, m_config.momentum);
    }
    m_lastIndices = torch::Tensor();
    m_lastZ = torch::Tensor();
    m_lastTeacherZ = torch::Tensor();
}

ContrastiveEpochStats ContrastiveTerm::endEpoch(std::int64_t epoch)
{
    ContrastiveEpochStats s;
    const double n = static_cast<double>(std::max<std::int64_t>(1, m_negCount));
    s.meanLoss = m_lossSum / static_cast<double>(std::max<std::int64_t>(1, m_batches));
    s.meanNegativeCosine = m_cosSum / n;
    s.sameClassShare = m_sameSum / n;
    s.fromTopKShare = m_fromTopKSum / n;
    if (m_topKClassMask.defined())
        s.topKClassShare = m_topKSum / n;
    for (auto& r : m_probeRows)
        r.epoch = epoch;
    m_recorder.probeNegatives(m_probeRows);
    m_probeRows.clear();
    return s;
}

namespace {

TorchValue stateOf(const torch::nn::Module& module)
{
    TorchValue out = TorchValue::dict(/*ordered=*/true);
    for (const auto& [key, t] : stateDict(module))
        out.set(key, TorchValue::of(t.detach()));
    return out;
}

const TorchValue& entry(const TorchValue& extra, const std::string& key, TorchValue::Kind kind, const std::string& source)
{
    const TorchValue* v = extra.find(key);
    if (!v || v->kind != kind)
        throw CheckpointError(source + ": the contrastive state's '" + key + "' is "
                              + (v ? "a " + v->describe() : std::string("missing")));
    return *v;
}

}  // namespace

void ContrastiveTerm::save(TorchValue& extra) const
{
    extra.set("head", stateOf(*m_head));
    if (m_bank)
        extra.set("memory_bank", TorchValue::of(m_bank->state()));
    if (m_nce && m_nce->normalizer())
        extra.set("nce_z", TorchValue::of(*m_nce->normalizer()));
    if (m_teacherBank) {
        extra.set("teacher_head", stateOf(*m_teacherHead));
        extra.set("teacher_memory_bank", TorchValue::of(m_teacherBank->state()));
        if (m_teacherNce && m_teacherNce->normalizer())
            extra.set("teacher_nce_z", TorchValue::of(*m_teacherNce->normalizer()));
    }
}

void ContrastiveTerm::load(const TorchValue& extra, const std::string& source)
{
    using Kind = TorchValue::Kind;
    loadStateDict(*m_head, flattenTensors(entry(extra, "head", Kind::Dict, source)), source, "the contrastive head");
    if (m_bank)
        m_bank->load(entry(extra, "memory_bank", Kind::Tensor, source).tensor.to(m_device));
    if (const TorchValue* z = extra.find("nce_z"); m_nce && z && z->number())
        m_nce->setNormalizer(*z->number());
    if (m_teacherBank) {
        loadStateDict(*m_teacherHead, flattenTensors(entry(extra, "teacher_head", Kind::Dict, source)), source,
                      "the teacher's contrastive head");
        m_teacherBank->load(entry(extra, "teacher_memory_bank", Kind::Tensor, source).tensor.to(m_device));
        if (const TorchValue* z = extra.find("teacher_nce_z"); m_teacherNce && z && z->number())
            m_teacherNce->setNormalizer(*z->number());
    }
}

}  // namespace scns
