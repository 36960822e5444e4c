#pragma once
// CRD's two-way contrastive loss (Tian et al. 2020; docs/method.md "Objectives", distillation):
//   L_CRD = L_con(z^S_i vs M^T, positive M^T_i) + L_con(z^T_i vs M^S, positive M^S_i),
// both directions sharing the batch's negative indices (CRD draws one contrast index set per
// anchor and uses it in both banks). L_con is InfoNCE (losses/info_nce.h) or CRD's NCE form
// (losses/nce_loss.h, one NceLoss with its own Z per direction).
#include <ATen/core/Tensor.h>

namespace scns {

class NceLoss;

struct CrdBatch {
    at::Tensor studentZ;         // B x d unit rows (student projection head, with gradient)
    at::Tensor teacherZ;         // B x d unit rows (teacher projection head, with gradient)
    at::Tensor studentBank;      // N x d, M^S (no gradient)
    at::Tensor teacherBank;      // N x d, M^T (no gradient)
    at::Tensor indices;          // B int64: the anchors' own rows (the positives), bank device
    at::Tensor negativeIndices;  // B x K int64, bank device
    // Latent Mixup pseudo-negatives per direction (B x P x d) or undefined: those mixed from
    // M^T contrast the student anchors, those from M^S the teacher anchors.
    at::Tensor studentPseudo, teacherPseudo;
};

// InfoNCE in both directions: a scalar with gradient into studentZ and teacherZ.
at::Tensor crdInfoNce(const CrdBatch& batch, double tau);

// NCE form in both directions: studentAnchors holds Z of the z^S-vs-M^T direction,
// teacherAnchors that of z^T-vs-M^S (each set on its first call). Pseudo-negatives are not
// used by the NCE form.
at::Tensor crdNce(const CrdBatch& batch, NceLoss& studentAnchors, NceLoss& teacherAnchors);

}  // namespace scns
