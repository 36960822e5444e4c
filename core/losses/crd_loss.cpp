#include "losses/crd_loss.h"

#include <ATen/ATen.h>

#include "losses/info_nce.h"
#include "losses/nce_loss.h"

namespace scns {

namespace {
void checkBatch(const CrdBatch& b)
{
    TORCH_CHECK(b.studentZ.dim() == 2 && b.studentZ.sizes() == b.teacherZ.sizes(),
                "CRD: student and teacher embeddings must both be B x d, got ", b.studentZ.sizes(), " and ",
                b.teacherZ.sizes());
    TORCH_CHECK(b.studentBank.sizes() == b.teacherBank.sizes(), "CRD: the two memory banks differ in shape: ",
                b.studentBank.sizes(), " and ", b.teacherBank.sizes());
    TORCH_CHECK(b.indices.dim() == 1 && b.indices.size(0) == b.studentZ.size(0), "CRD: indices must be B = ",
                b.studentZ.size(0), " long, got ", b.indices.sizes());
}
}  // namespace

at::Tensor crdInfoNce(const CrdBatch& b, double tau)
{
    checkBatch(b);
    const auto posT = b.teacherBank.index_select(0, b.indices).to(b.studentZ.scalar_type());
    const auto posS = b.studentBank.index_select(0, b.indices).to(b.teacherZ.scalar_type());
    return bankInfoNce(b.studentZ, posT, b.teacherBank, b.negativeIndices, tau, b.studentPseudo)
           + bankInfoNce(b.teacherZ, posS, b.studentBank, b.negativeIndices, tau, b.teacherPseudo);
}

at::Tensor crdNce(const CrdBatch& b, NceLoss& studentAnchors, NceLoss& teacherAnchors)
{
    checkBatch(b);
    const auto posT = b.teacherBank.index_select(0, b.indices).to(b.studentZ.scalar_type());
    const auto posS = b.studentBank.index_select(0, b.indices).to(b.teacherZ.scalar_type());
    return studentAnchors.forwardBank(b.studentZ, posT, b.teacherBank, b.negativeIndices)
           + teacherAnchors.forwardBank(b.teacherZ, posS, b.studentBank, b.negativeIndices);
}

}  // namespace scns
