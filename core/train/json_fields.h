#pragma once
// Reading a configuration object field by field with every problem collected, so a file's
// problems are reported together (ConfigError) rather than one per attempt.
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/json_text.h"
#include "common/message_text.h"

namespace scns {

using nlohmann::json;

// What a mismatch of a field of C++ type T says it expected: an integer field given a number
// beyond int64 (nlohmann keeps 1e30 or 99999999999999999999 as a double) or a number beyond a
// double (1e999) is named as an overflow, not as a wrong type.
template <typename T>
std::string jsonTypeExpectation(const json& v, const char* expected)
{
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!std::isfinite(d))
            return std::string(expected) + " within the range of a double (the number overflows)";
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            if (std::abs(d) >= 9.2233720368547758e18)
                return std::string(expected) + " that fits in 64 bits (the number overflows)";
    }
    if constexpr (std::is_same_v<T, std::uint64_t>)
        if (v.is_number_integer() && v.get<std::int64_t>() < 0)
            return std::string(expected) + " (negative values are not allowed)";
    return expected;
}

// Whether a JSON value has C++ type T (integers within range, finite numbers, text arrays).
template <typename T>
bool jsonHasType(const json& v)
{
    if constexpr (std::is_same_v<T, bool>)
        return v.is_boolean();
    else if constexpr (std::is_same_v<T, std::string>)
        return v.is_string();
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    else if constexpr (std::is_integral_v<T>)
        return v.is_number_integer();
    else if constexpr (std::is_floating_point_v<T>)
        return v.is_number() && (!v.is_number_float() || std::isfinite(v.get<double>()));
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!v.is_array())
            return false;
        for (const auto& e : v)
            if (!e.is_string())
                return false;
        return true;
    } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
        if (!v.is_array())
            return false;
        for (const auto& e : v)
            if (!e.is_number_integer())
                return false;
        return true;
    }
    return false;
}

// Reads fields from one JSON object, remembering which keys it consumed and every type
// problem, so all problems of a file are reported together.
class JsonFieldReader {
public:
    JsonFieldReader(const json& object, std::string prefix, std::vector<FieldProblem>& problems)
        : m_object(object), m_prefix(std::move(prefix)), m_problems(problems)
    {
    }

    template <typename T>
    void read(const char* key, T& out, const char* expected)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return;
        if (!jsonHasType<T>(*it)) {
            m_problems.push_back({m_prefix + key, jsonForMessage(*it), jsonTypeExpectation<T>(*it, expected)});
            return;
        }
        if constexpr (std::is_same_v<T, std::string>) {
            // Strings reach the store and the screen: they must be text. (A file's JSON is
            // UTF-8 by the parser's check; a flag or a programmatic config may not be.)
            const auto& text = it->template get_ref<const std::string&>();
            if (!isValidUtf8(text)) {
                m_problems.push_back({m_prefix + key, quoteForMessage(text), "valid UTF-8 text"});
                return;
            }
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            for (const auto& e : *it)
                if (!isValidUtf8(e.template get_ref<const std::string&>())) {
                    m_problems.push_back({m_prefix + key, quoteForMessage(e.template get_ref<const std::string&>()),
                                          "valid UTF-8 text in every item"});
                    return;
                }
        }
        out = it->template get<T>();
    }

    template <typename T>
    void readOptional(const char* key, std::optional<T>& out, const char* expected)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return;
        T value{};
        read(key, value, expected);
        if (jsonHasType<T>(*it))
            out = value;
    }

    // Object member: returns it, or an empty object (recording a problem if not an object).
    json object(const char* key)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return json::object();
        if (!it->is_object()) {
            m_problems.push_back({m_prefix + key, jsonForMessage(*it), "an object"});
            return json::object();
        }
        return *it;
    }

    // Any member, unchecked (the caller checks it): null when absent.
    json any(const char* key)
    {
        m_seen.insert(key);
        auto it = m_object.find(key);
        return it == m_object.end() ? json() : *it;
    }

    void reportUnknown()
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it)
            if (!m_seen.count(it.key()))
                m_problems.push_back({m_prefix + it.key(), jsonForMessage(it.value()),
                                      "no such field (a typo?)"});
    }

private:
    const json& m_object;
    std::string m_prefix;
    std::vector<FieldProblem>& m_problems;
    std::set<std::string> m_seen;
};

}  // namespace scns
