#include "sampling/counter_rng.h"

#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

namespace scns {

at::Generator makeGenerator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

std::uint64_t nextKey(at::Generator& generator)
{
    TORCH_CHECK(generator.defined(), "sampler: the random generator is undefined (use scns::makeGenerator(seed))");
    TORCH_CHECK(generator.device().is_cpu(), "sampler: expected a CPU generator, got one on ", generator.device());
    auto* impl = at::check_generator<at::CPUGeneratorImpl>(generator);
    std::lock_guard<std::mutex> lock(generator.mutex());
    return impl->random64();
}

}  // namespace scns
