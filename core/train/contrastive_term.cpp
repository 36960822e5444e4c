#include "train/contrastive_term.h"

#include <algorithm>

#include "common/errors.h"
#include "data/to_device.h"
#include "dist/replica_group.h"
#include "losses/crd_loss.h"
#include "losses/gather_dot.h"
#include "losses/info_nce.h"
#include "losses/nce_loss.h"
#include "losses/sup_con.h"
#include "sampling/class_balanced_batch.h"
#include "sampling/counter_rng.h"
#include "sampling/memory_bank.h"
#include "sampling/mixup.h"
#include "semantic/class_distribution.h"
#include "semantic/class_similarity.h"
#include "semantic/instance_topk.h"
#include "train/precision.h"
#include "train/seed_streams.h"

namespace scns {

namespace {

std::vector<float> toVector(const torch::Tensor& S)
{
    const auto c = S.to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::vector<std::vector<std::int64_t>> indicesByClass(const ImageSet& train)
{
    std::vector<std::vector<std::int64_t>> byClass(static_cast<std::size_t>(train.numClasses()));
    for (std::int64_t i = 0; i < train.count; ++i)
        byClass[static_cast<std::size_t>(train.labels[i])].push_back(i);
    return byClass;
}

// The banks' options, once the settings that cannot work with this data are refused (the
// configuration itself was validated where it entered).
ContrastiveBanksOptions checkedBanksOptions(const ContrastiveConfig& config, const ImageSet& train,
                                            const std::vector<std::vector<std::int64_t>>& byClass,
                                            std::int64_t backboneFeatureDim, const ContrastiveTermTeacher& teacher)
{
    if (config.positive == Positive::SameClass && teacher.crdFeatureDim == 0)
        for (std::size_t c = 0; c < byClass.size(); ++c)
            if (byClass[c].size() < 2)
                throw ConfigError({{"contrastive.positive", toString(config.positive),
                                    "self when a class has fewer than 2 training images (class '" + train.classNames[c]
                                        + "' has " + std::to_string(byClass[c].size()) + ")"}});
    ContrastiveBanksOptions o;
    o.size = train.count;
    o.backboneFeatureDim = backboneFeatureDim;
    o.featureDim = config.featureDim;
    o.withBank = config.objective != Objective::SupCon;
    o.nce = config.objective == Objective::Nce;
    o.tau = config.tau;
    o.crdFeatureDim = teacher.crdFeatureDim;
    o.storage = autocastDtype(config.bankDtype);
    return o;
}

}  // namespace

ContrastiveTerm::ContrastiveTerm(const ContrastiveConfig& config, const std::string& dataset, const ImageSet& train,
                                 std::int64_t backboneFeatureDim, c10::Device device, std::uint64_t seed,
                                 RunRecorder& recorder, ContrastiveTermTeacher teacher)
    : m_config(config),
      m_classNames(train.classNames),
      m_labels(torch::tensor(train.labels, torch::kInt64)),
      m_numClasses(train.numClasses()),
      m_device(device),
      m_seed(seed),
      m_drawSeed(seed),
      m_recorder(recorder),
      m_fixedReference(teacher.fixedReference || !config.referenceWeights.empty()),
      m_byClass(indicesByClass(train)),
      m_banks(checkedBanksOptions(config, train, m_byClass, backboneFeatureDim, teacher), device, seed),
      m_samplerGen(makeGenerator(streamSeed(seed, 0, kSamplerStream))),
      m_mixupGen(makeGenerator(streamSeed(seed, 0, kMixupStream))),
      m_positiveGen(makeGenerator(streamSeed(seed, 0, kPositiveStream))),
      m_batchGen(makeGenerator(streamSeed(seed, 0, kBatchesStream))),
      m_samplers(m_labels, m_numClasses, m_samplerGen, SamplerPlacement::on(device)),
      m_deviceLabels(m_labels.to(device)),
      m_probes(m_byClass, m_labels, config.probeAnchors, config.probeNegatives, seed)
{
    if (config.mixupCount > 0)
        m_mixup = std::make_unique<LatentMixup>(
            MixupOptions().count(config.mixupCount).alpha(config.mixupAlpha).mode(config.mixupMode),
            m_mixupGen);

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
    {
        m_topKClassMask = classSamplingDistribution(Sc, m_config.classK, m_config.classTau, true).gt(0);
        m_topKClassMaskOnDevice = m_topKClassMask.to(m_device);
    }
}

void ContrastiveTerm::buildSampler(const std::optional<ReferenceOutputs>& reference, std::int64_t epoch)
{
    // In a data-parallel run rank 0 builds the class similarity and the instance table from the
    // reference outputs and broadcasts them: every rank samples from rank 0's tables.
    const bool builds = !m_group || m_group->rank() == 0;
    if (reference && m_config.sampler == SamplerKind::Class) {
        torch::Tensor S = torch::empty({m_numClasses, m_numClasses}, torch::kFloat32);
        if (builds)
            S = (m_config.similarity == ClassSimilaritySource::Visual
                     ? visualClassSimilarity(reference->embeddings, m_labels.to(reference->embeddings.device()), m_numClasses)
                     : confusionClassSimilarity(reference->logits, m_labels.to(reference->logits.device())))
                    .to(torch::kCPU, torch::kFloat32)
                    .contiguous();
        if (m_group)
            broadcastTensors(*m_group, {S});
        setSimilarity(S, m_config.similarity, epoch);
    }
    m_built = true;
    const auto classOptions = ClassSamplerOptions().k(m_config.classK).tau(m_config.classTau).uniform(m_config.classUniform);
    if (usesBatchOrder()) {
        // In-batch SupCon: the class similarity shapes which classes share a batch.
        if (m_config.sampler == SamplerKind::Class)
            m_batchDistribution = classSamplingDistribution(m_similarity, classOptions.k(), classOptions.tau(),
                                                            classOptions.uniform());
        return;
    }
    std::shared_ptr<NegativeSampler> inner;
    auto uniform = m_samplers.uniform();
    if (m_config.sampler == SamplerKind::Uniform) {
        inner = uniform;
    } else if (m_config.sampler == SamplerKind::Class) {
        if (!m_similarity.defined())
            throw ConfigError({{"contrastive.class.similarity", toString(m_config.similarity), "a source that gives a class similarity"}});
        inner = m_samplers.byClass(m_similarity, classOptions);
    } else {
        TopKTable table;
        if (builds) {
            table = *buildInstanceTopK(reference->embeddings, m_labels.to(reference->embeddings.device()),
                                       m_config.instanceK, m_config.instanceOtherClassesOnly);
            table.indices = table.indices.to(torch::kCPU, torch::kInt64).contiguous();
            table.similarities = table.similarities.to(torch::kCPU, torch::kFloat32).contiguous();
        }
        if (m_group) {
            torch::Tensor shape = builds ? torch::tensor(table.indices.sizes().vec(), torch::kInt64)
                                         : torch::empty({2}, torch::kInt64);
            broadcastTensors(*m_group, {shape});
            if (!builds) {
                table.indices = torch::empty({shape[0].item<std::int64_t>(), shape[1].item<std::int64_t>()}, torch::kInt64);
                table.similarities = torch::empty_like(table.indices, torch::kFloat32);
            }
            broadcastTensors(*m_group, {table.indices, table.similarities});
        }
        inner = m_samplers.byInstanceTable(
            table, InstanceSamplerOptions()
                       .k(m_config.instanceK)
                       .weighting(m_config.instanceWeighting)
                       .tau(m_config.instanceTau)
                       .otherClassesOnly(m_config.instanceOtherClassesOnly));
    }
    m_sampler = (m_config.epsilon > 0 && m_config.sampler != SamplerKind::Uniform)
                    ? m_samplers.withEpsilon(inner, m_config.epsilon, uniform)
                    : inner;
}

void ContrastiveTerm::beginEpoch(std::int64_t epochIndex, const std::optional<ReferenceOutputs>& reference)
{
    // Generators are handles shared with the samplers and mixup: reseeding here makes the draws
    // of epoch e depend on (seed, e) only, so a resumed run repeats them.
    const auto e = static_cast<std::uint64_t>(epochIndex);
    m_samplerGen.set_current_seed(streamSeed(m_drawSeed, e, kSamplerStream));
    m_mixupGen.set_current_seed(streamSeed(m_drawSeed, e, kMixupStream));
    m_positiveGen.set_current_seed(streamSeed(m_drawSeed, e, kPositiveStream));
    m_batchGen.set_current_seed(streamSeed(m_seed, e, kBatchesStream));
    if (reference || !m_built)
        buildSampler(reference, epochIndex);
    m_statistics.reset();
    m_probes.clear();
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
    torch::Tensor L = supConLoss(z, toDevice(labels, z.device()), m_config.tau);
    torch::NoGradGuard noGrad;
    // In-batch negatives: every pair of different classes.
    const auto cos = torch::mm(z.detach(), z.detach().t());
    m_statistics.addInBatch(L.detach(), cos, labels, m_topKClassMask);
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
    const torch::Tensor z = head()->forward(features);  // B x d, unit rows
    if (usesBatchOrder())
        return supConLossWithStats(z, lab);
    TORCH_CHECK(isCrd() == teacherFeatures.defined(), "ContrastiveTerm::loss: teacher features are needed exactly in CRD");
    const SampledNegatives neg = m_sampler->sample(idx, m_config.negatives);
    // Negatives stay rows of the bank: the fused kernels read them once and never build the
    // B x K x d tensor (268 MB at B = 128, K = 4096; see docs/benchmarks.md "Sampler cost").
    // CRD: the student's anchors contrast against the teacher's bank (and back).
    MemoryBank& studentBank = *m_banks.bank();
    const torch::Tensor& bank = isCrd() ? m_banks.teacherBank()->state() : studentBank.state();
    // The samplers draw on the run's device (sampling/device_draws.h); their indices are in range
    // by construction (and gatherDot checks them on the CPU).
    const torch::Tensor negIdx = toDevice(neg.indices, m_device);
    PseudoNegatives pseudo;
    if (m_mixup)
        pseudo = m_mixup->generateFromBank(z.detach(), bank, negIdx);
    NceLoss* nce = m_banks.nce();
    torch::Tensor L;
    torch::Tensor zT;
    if (isCrd()) {
        zT = teacherHead()->forward(teacherFeatures);
        CrdBatch b{z, zT, studentBank.state(), bank, toDevice(idx, m_device), negIdx, pseudo.embeddings, {}};
        if (m_mixup)
            b.teacherPseudo = m_mixup->generateFromBank(zT.detach(), studentBank.state(), negIdx).embeddings;
        L = nce ? crdNce(b, *nce, *m_banks.teacherNce()) : crdInfoNce(b, m_config.tau);
    } else {
        const torch::Tensor pos = studentBank.rows(positives(idx, lab));  // B x d
        L = nce ? nce->forwardBank(z, pos, bank, negIdx) : bankInfoNce(z, pos, bank, negIdx, m_config.tau, pseudo.embeddings);
    }

    {
        torch::NoGradGuard noGrad;
        const auto zd = z.detach();
        const auto cos = gatherDot(zd, bank, negIdx);  // B x K, on the device: summed there, read per epoch
        m_statistics.addBankBatch(L.detach(), cos, lab, m_deviceLabels.take(negIdx), neg.fromTopK, m_topKClassMaskOnDevice);
        m_probes.record(idx, lab, zd, negIdx, neg.fromTopK, cos, pseudo);
    }
    m_banks.remember(idx, z.detach(), zT.defined() ? zT.detach() : torch::Tensor());
    return L;
}

ContrastiveEpochStats ContrastiveTerm::statistics() const
{
    return m_statistics.value(m_topKClassMask.defined(), m_group);
}

void ContrastiveTerm::setReplicaGroup(ReplicaGroup* group)
{
    m_group = group && group->worldSize() > 1 ? group : nullptr;
    m_banks.setReplicaGroup(m_group);
    m_drawSeed = m_group ? replicaSeed(m_seed, m_group->rank()) : m_seed;
}

void ContrastiveTerm::recordProbes(std::int64_t epoch)
{
    m_recorder.probeNegatives(m_probes.take(epoch));
}

}  // namespace scns
