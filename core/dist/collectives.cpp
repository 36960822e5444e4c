#include "dist/replica_group.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

namespace scns {

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

namespace {

struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, ReplicaGroup* group)
    {
        // The saved data holds IValues: the group travels as its address (it outlives the step).
        ctx->saved_data["group"] = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(group));
        std::vector<at::Tensor> t{x.contiguous().clone()};
        group->allReduceSum(t);
        return t[0];
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        auto* group = reinterpret_cast<ReplicaGroup*>(static_cast<std::intptr_t>(ctx->saved_data["group"].toInt()));
        std::vector<at::Tensor> t{grads[0].contiguous().clone()};
        group->allReduceSum(t);
        return {t[0], at::Tensor()};
    }
};

}  // namespace

at::Tensor allReduceSumWithGradient(ReplicaGroup& group, const at::Tensor& x) { return AllReduceSum::apply(x, &group); }

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
