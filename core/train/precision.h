#pragma once
// Mixed precision (the `precision` setting): autocast of the forward pass to bfloat16 or float16
// on the run's device, and dynamic loss scaling for float16 (what torch.autocast and
// torch.cuda.amp.GradScaler do in Python). Weights, optimiser state and memory banks stay float32.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "common/choices.h"

namespace scns {

// bf16 -> BFloat16, fp16 -> Half, fp32 -> Float.
c10::ScalarType autocastDtype(Precision precision);

// While alive, operations on `device` that autocast lists (convolutions, linear layers,
// matrix products) run in `precision`'s dtype; the reductions and losses autocast keeps in
// float32 stay there. Thread-local, as autocast is: construct it on the thread that trains.
// fp32: does nothing. Throws DeviceError for fp16 on a CPU (LibTorch's CPU autocast computes
// in bfloat16 only).
class AutocastScope {
public:
    AutocastScope(c10::Device device, Precision precision);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_active = false;
    c10::DeviceType m_type = c10::DeviceType::CPU;
    bool m_wasEnabled = false;
    c10::ScalarType m_oldDtype = c10::ScalarType::Float;
};

// Dynamic loss scaling for float16 (GradScaler's defaults): the loss is multiplied by the
// scale before backward; before the optimiser steps, the gradients are divided by it and
// checked: a step whose gradients hold inf or NaN is skipped and the scale halved; after
// `growthInterval` good steps in a row the scale doubles.
class LossScaler {
public:
    explicit LossScaler(double initialScale = 65536.0, std::int64_t growthInterval = 2000)
        : m_scale(initialScale)
        , m_growthInterval(growthInterval)
    {}
    at::Tensor scale(const at::Tensor& loss) const;
    // Unscales the gradients of `parameters` in place; false when any is not finite (then skip
    // the optimiser step). Reads one flag from the device.
    bool unscale(const std::vector<at::Tensor>& parameters);
    // After each step: halve on overflow, grow after a run of good steps.
    void update(bool stepWasFinite);
    double currentScale() const { return m_scale; }
    std::int64_t skippedSteps() const { return m_skipped; }

private:
    double m_scale;
    std::int64_t m_growthInterval;
    std::int64_t m_goodSteps = 0;
    std::int64_t m_skipped = 0;
};

// Channels-last (NHWC) memory format for the 4-d weights of `parameters` (convolutions), in
// place; other parameters are left as they are. Call before the optimiser is built.
void toChannelsLast(const std::vector<at::Tensor>& parameters);

}  // namespace scns
