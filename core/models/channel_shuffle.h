#pragma once
// The channel shuffle of ShuffleNet v1/v2: B x C x H x W viewed as B x g x C/g x H x W,
// transposed to B x C/g x g x H x W and flattened back, so channel i*C/g + j moves to j*g + i.
#include <torch/types.h>

namespace scns {

inline torch::Tensor channelShuffle(const torch::Tensor& x, std::int64_t groups)
{
    if (groups == 1)
        return x;
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.view({n, groups, c / groups, h, w}).permute({0, 2, 1, 3, 4}).reshape({n, c, h, w});
}

}  // namespace scns
