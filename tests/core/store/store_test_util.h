#pragma once
// Helpers shared by the run store tests.
#include "common/errors.h"

#include <QString>

#include <exception>

namespace scns::test {

inline const QString kNotThrown = QStringLiteral("(no StoreError was thrown)");

// The message of the StoreError that f throws, or kNotThrown. Other exceptions propagate
// and fail the test.
template <class F>
QString storeErrorOf(F&& f)
{
    try {
        f();
    } catch (const StoreError& e) {
        return QString::fromStdString(e.what());
    }
    return kNotThrown;
}

}  // namespace scns::test
