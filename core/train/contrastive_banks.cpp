#include "train/contrastive_banks.h"

#include "common/errors.h"
#include "dist/replica_group.h"
#include "losses/nce_loss.h"
#include "models/load_state_dict.h"
#include "models/state_dict.h"
#include "sampling/counter_rng.h"
#include "sampling/memory_bank.h"
#include "train/checkpoint.h"
#include "train/seed_streams.h"

namespace scns {

ContrastiveBanks::ContrastiveBanks(const ContrastiveBanksOptions& options, c10::Device device, std::uint64_t seed)
    : m_device(device)
{
    const std::int64_t n = options.size;
    m_head = ProjectionHead(ProjectionHeadOptions(options.backboneFeatureDim).outDim(options.featureDim));
    m_head->to(device);
    if (options.withBank) {
        at::Generator bankGen = makeGenerator(streamSeed(seed, 0, kBankStream));
        m_bank = std::make_unique<MemoryBank>(n, options.featureDim, bankGen, device, options.storage);
    }
    if (options.nce)
        m_nce = std::make_unique<NceLoss>(NceLossOptions(n).tau(options.tau));
    if (options.crdFeatureDim > 0) {
        m_teacherHead = ProjectionHead(ProjectionHeadOptions(options.crdFeatureDim).outDim(options.featureDim));
        m_teacherHead->to(device);
        at::Generator teacherBankGen = makeGenerator(streamSeed(seed, 0, kTeacherBankStream));
        m_teacherBank = std::make_unique<MemoryBank>(n, options.featureDim, teacherBankGen, device, options.storage);
        if (options.nce)
            m_teacherNce = std::make_unique<NceLoss>(NceLossOptions(n).tau(options.tau));
    }
}

void ContrastiveBanks::setReplicaGroup(ReplicaGroup* group)
{
    m_group = group && group->worldSize() > 1 ? group : nullptr;
    // Every replica's first-batch Z, averaged: the Z of the global batch.
    for (NceLoss* nce : {m_nce.get(), m_teacherNce.get()})
        if (nce && m_group)
            nce->setNormalizerAgreement([this](double z) {
                return sumOverRanks(*m_group, {z}).front() / static_cast<double>(m_group->worldSize());
            });
}

std::vector<torch::Tensor> ContrastiveBanks::replicatedState()
{
    std::vector<torch::Tensor> out = m_head->parameters();
    if (m_teacherHead)
        for (const auto& p : m_teacherHead->parameters())
            out.push_back(p);
    for (MemoryBank* bank : {m_bank.get(), m_teacherBank.get()})
        if (bank)
            out.push_back(bank->state());
    return out;
}

ContrastiveBanks::~ContrastiveBanks() = default;

void ContrastiveBanks::remember(const torch::Tensor& indices, const torch::Tensor& z, const torch::Tensor& teacherZ)
{
    m_lastIndices = indices;
    m_lastZ = z;
    m_lastTeacherZ = teacherZ;
}

void ContrastiveBanks::update(double momentum)
{
    if (m_lastIndices.defined()) {
        if (m_group) {
            // Gloo exchanges host tensors; the gathered rows go back to the batch's device.
            const auto gather = [this](const torch::Tensor& t) {
                return m_group->allGather(t.to(torch::kCPU)).to(t.device());
            };
            m_lastIndices = gather(m_lastIndices);
            m_lastZ = gather(m_lastZ);
            if (m_teacherBank)
                m_lastTeacherZ = gather(m_lastTeacherZ);
        }
        // Host indices: MemoryBank checks them there and copies them without waiting.
        m_bank->update(m_lastIndices, m_lastZ, momentum);
        if (m_teacherBank)
            m_teacherBank->update(m_lastIndices, m_lastTeacherZ, momentum);
    }
    m_lastIndices = torch::Tensor();
    m_lastZ = torch::Tensor();
    m_lastTeacherZ = torch::Tensor();
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

void ContrastiveBanks::save(TorchValue& extra) const
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

void ContrastiveBanks::load(const TorchValue& extra, const std::string& source)
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
