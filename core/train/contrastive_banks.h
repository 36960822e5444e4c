#pragma once
// What the contrastive term trains and remembers: the projection head and memory bank M, and
// in CRD distillation the teacher's projection head and bank M^T; the NCE normalisers of the
// NCE form; the update of the banks after each optimiser step; and all of it as checkpoint
// entries. Draws nothing after construction.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "io/torch_file.h"
#include "sampling/projection_head.h"

namespace scns {

class MemoryBank;
class ReplicaGroup;
class NceLoss;

struct ContrastiveBanksOptions {
    std::int64_t size = 0;                // N: training samples, one bank row each
    std::int64_t backboneFeatureDim = 0;  // the head's input
    std::int64_t featureDim = 128;        // d: the heads' output, the banks' rows
    bool withBank = true;                 // false: in-batch SupCon, no memory bank
    bool nce = false;                     // CRD's NCE form: a normaliser per bank direction
    double tau = 0.07;
    // > 0: CRD's teacher side, a head on the teacher's features (this many) and the bank M^T.
    std::int64_t crdFeatureDim = 0;
    c10::ScalarType storage = c10::ScalarType::Float;  // the banks' rows (contrastive.bank_dtype)
};

class ContrastiveBanks {
public:
    // The heads are initialised from LibTorch's global generator (student head first, then the
    // teacher's), the banks from the run's bank streams.
    ContrastiveBanks(const ContrastiveBanksOptions& options, c10::Device device, std::uint64_t seed);
    ~ContrastiveBanks();

    ProjectionHead& head() { return m_head; }
    ProjectionHead& teacherHead() { return m_teacherHead; }  // null unless CRD
    bool isCrd() const { return m_teacherBank != nullptr; }
    MemoryBank* bank() { return m_bank.get(); }  // null for SupCon
    MemoryBank* teacherBank() { return m_teacherBank.get(); }
    NceLoss* nce() { return m_nce.get(); }  // null unless the NCE form
    NceLoss* teacherNce() { return m_teacherNce.get(); }

    // The batch's rows (B int64, CPU) and embeddings (B x d, detached) that update() writes
    // into the banks after the optimiser step; teacherZ only in CRD.
    void remember(const torch::Tensor& indices, const torch::Tensor& z, const torch::Tensor& teacherZ = {});
    // After optimizer.step(): M_i <- normalize(m M_i + (1 - m) z_i) for the remembered rows.
    // In a data-parallel run every replica's rows are gathered first (MoCo's concat_all_gather),
    // so every replica's banks take the whole global batch, in the same order.
    void update(double momentum);
    // Data-parallel runs: the group the batches are gathered over; the NCE normalisers agree on
    // the mean of the replicas' first-batch values. Null (the default): one process.
    void setReplicaGroup(ReplicaGroup* group);
    // The tensors every replica must hold the same values of (heads' parameters, banks), for
    // the broadcast from rank 0 at the start.
    std::vector<torch::Tensor> replicatedState();

    // Checkpoint state: heads, memory banks and NCE normalisers under the keys of "extra".
    void save(TorchValue& extra) const;
    // Throws CheckpointError starting with `source` when an entry is missing or does not fit.
    void load(const TorchValue& extra, const std::string& source);

private:
    c10::Device m_device;
    ProjectionHead m_head{nullptr};
    std::unique_ptr<MemoryBank> m_bank;
    std::unique_ptr<NceLoss> m_nce;
    ProjectionHead m_teacherHead{nullptr};
    std::unique_ptr<MemoryBank> m_teacherBank;
    std::unique_ptr<NceLoss> m_teacherNce;
    torch::Tensor m_lastIndices, m_lastZ, m_lastTeacherZ;
    ReplicaGroup* m_group = nullptr;
};

}  // namespace scns
