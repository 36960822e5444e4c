#include "dist/replica_group.h"

#include <ATen/ATen.h>

namespace scns {

void averageGradients(ReplicaGroup& group, const std::vector<at::Tensor>& parameters, std::size_t bucketBytes)
{
    at::NoGradGuard noGrad;
    const double scale = 1.0 / static_cast<double>(group.worldSize());
    std::size_t begin = 0;
    while (begin < parameters.size()) {
        // One bucket: consecutive parameters of one dtype up to bucketBytes (at least one).
        std::size_t end = begin, bytes = 0;
        const auto dtype = parameters[begin].scalar_type();
        while (end < parameters.size() && parameters[end].scalar_type() == dtype
               && (end == begin || bytes + parameters[end].nbytes() <= bucketBytes)) {
            bytes += parameters[end].nbytes();
            ++end;
        }
        std::vector<at::Tensor> pieces;
        for (std::size_t i = begin; i < end; ++i) {
            const at::Tensor& p = parameters[i];
            pieces.push_back(p.grad().defined() ? p.grad().reshape({-1}) : at::zeros({p.numel()}, p.options()));
        }
        std::vector<at::Tensor> flat{at::cat(pieces)};
        group.allReduceSum(flat);
        flat[0].mul_(scale);
        std::int64_t offset = 0;
        for (std::size_t i = begin; i < end; ++i) {
            at::Tensor p = parameters[i];
            const at::Tensor part = flat[0].narrow(0, offset, p.numel()).view(p.sizes());
            if (p.grad().defined())
                p.mutable_grad().copy_(part);
            else
                p.mutable_grad() = part.clone();
            offset += p.numel();
        }
        begin = end;
    }
}

void broadcastTensors(ReplicaGroup& group, const std::vector<at::Tensor>& tensors, int root)
{
    at::NoGradGuard noGrad;
    for (const at::Tensor& t : tensors) {
        // Gloo sends host tensors of the common types: others (on a GPU, bfloat16 banks) travel
        // as a float or integer host copy and are copied back.
        const bool direct = t.is_cpu() && t.is_contiguous()
            && (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble || t.scalar_type() == at::kLong);
        std::vector<at::Tensor> one{
            direct ? t.detach() : t.detach().to(at::kCPU, t.is_floating_point() ? at::kFloat : at::kLong).contiguous()};
        group.broadcast(one, root);
        if (!direct)
            t.detach().copy_(one[0]);
    }
}

std::vector<double> sumOverRanks(ReplicaGroup& group, const std::vector<double>& values)
{
    if (values.empty())
        return {};
    std::vector<at::Tensor> t{at::tensor(values, at::kDouble)};
    group.allReduceSum(t);
    const at::Tensor out = t[0].contiguous();
    return {out.data_ptr<double>(), out.data_ptr<double>() + out.numel()};
}

}  // namespace scns
