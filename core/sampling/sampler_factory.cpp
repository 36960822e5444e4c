#include "sampling/sampler_factory.h"

#include "sampling/class_sampler.h"
#include "sampling/epsilon_sampler.h"
#include "sampling/uniform_sampler.h"
#include "semantic/class_distribution.h"
#include "semantic/instance_topk.h"

namespace scns {

namespace {

std::shared_ptr<NegativeSampler> placed(std::shared_ptr<NegativeSampler> sampler, const SamplerPlacement& placement)
{
    sampler->place(placement);
    return sampler;
}

}  // namespace

SamplerFactory::SamplerFactory(at::Tensor labels, std::int64_t numClasses, at::Generator generator,
                               SamplerPlacement placement)
    : m_labels(std::move(labels)), m_numClasses(numClasses), m_generator(std::move(generator)), m_placement(placement)
{
}

std::shared_ptr<NegativeSampler> SamplerFactory::uniform() const
{
    return placed(std::make_shared<UniformSampler>(m_labels, m_numClasses, m_generator), m_placement);
}

std::shared_ptr<NegativeSampler> SamplerFactory::byClass(const at::Tensor& similarity, const ClassSamplerOptions& options) const
{
    const auto dist = classSamplingDistribution(similarity, options.k(), options.tau(), options.uniform());
    return placed(std::make_shared<ClassSampler>(m_labels, m_numClasses, dist, m_generator), m_placement);
}

std::shared_ptr<NegativeSampler> SamplerFactory::byInstance(const at::Tensor& embeddings,
                                                            const InstanceSamplerOptions& options) const
{
    const auto table = buildInstanceTopK(embeddings, m_labels.to(embeddings.device()), options.k(), options.otherClassesOnly());
    return byInstanceTable(*table, options);
}

std::shared_ptr<NegativeSampler> SamplerFactory::byInstanceTable(const TopKTable& table,
                                                                 const InstanceSamplerOptions& options) const
{
    return placed(std::make_shared<InstanceSampler>(m_labels, m_numClasses, table.indices.cpu(), table.similarities.cpu(),
                                                    options.weighting(), options.tau(), m_generator),
                  m_placement);
}

std::shared_ptr<NegativeSampler> SamplerFactory::withEpsilon(std::shared_ptr<NegativeSampler> inner, double epsilon,
                                                             std::shared_ptr<NegativeSampler> uniform) const
{
    return placed(std::make_shared<EpsilonSampler>(std::move(inner), epsilon, std::move(uniform), m_generator), m_placement);
}

}  // namespace scns
