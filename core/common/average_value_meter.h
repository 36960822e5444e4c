#pragma once
// A running mean, in the shape of Flashlight's AverageValueMeter: add(), value(), reset().
// add() takes a total over n observations (a batch's summed cosines and its count of
// negatives, or one batch's loss with n = 1), so the mean is exactly total / count, summed in
// the order the totals came: the recorded statistics do not depend on how they were batched
// into meters.
#include <algorithm>
#include <cstdint>

namespace scns {

class AverageValueMeter {
public:
    void add(double total, std::int64_t n = 1)
    {
        m_sum += total;
        m_count += n;
    }
    // The mean so far; 0 before anything was added.
    double value() const { return m_sum / static_cast<double>(std::max<std::int64_t>(1, m_count)); }
    double sum() const { return m_sum; }
    std::int64_t count() const { return m_count; }
    void reset()
    {
        m_sum = 0;
        m_count = 0;
    }

private:
    double m_sum = 0;
    std::int64_t m_count = 0;
};

}  // namespace scns
