#pragma once
// Two-way bindings between RunConfig fields and input widgets, each named by the dotted JSON
// key that the config files and ConfigError use ("contrastive.class.k"). The editor is built
// from these, so every field loads, stores and shows its validation problem the same way.
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "train/run_config.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace scns {

class PathEdit;

template <typename T>
using FieldAccess = std::function<T&(RunConfig&)>;

struct FieldBinding {
    QString key;
    QWidget* widget = nullptr;
    std::function<void(RunConfig&)> load;  // config -> widget (config is a scratch copy)
    // widget -> config; unparsable text adds a problem instead
    std::function<void(RunConfig&, std::vector<FieldProblem>&)> store;
};

class FieldBindings {
public:
    // onChange: called after any user edit (not during load()).
    explicit FieldBindings(std::function<void()> onChange) : m_onChange(std::move(onChange)) {}

    QSpinBox* integer(const QString& key, FieldAccess<std::int64_t> access, QWidget* parent);
    QLineEdit* seed(const QString& key, FieldAccess<std::uint64_t> access, QWidget* parent);
    QLineEdit* real(const QString& key, FieldAccess<double> access, QWidget* parent);
    // Empty text: unset (the field's default applies; placeholder says which).
    QLineEdit* optionalReal(const QString& key, FieldAccess<std::optional<double>> access, const QString& placeholder,
                            QWidget* parent);
    QLineEdit* optionalInteger(const QString& key, FieldAccess<std::optional<std::int64_t>> access,
                               const QString& placeholder, QWidget* parent);
    QComboBox* optionalBool(const QString& key, FieldAccess<std::optional<bool>> access, const QString& defaultText,
                            QWidget* parent);
    QCheckBox* boolean(const QString& key, FieldAccess<bool> access, const QString& text, QWidget* parent);
    // editable: any text may be entered (validation says whether it is allowed).
    QComboBox* choice(const QString& key, FieldAccess<std::string> access, const QStringList& choices, bool editable,
                      QWidget* parent);
    QLineEdit* text(const QString& key, FieldAccess<std::string> access, QWidget* parent);
    PathEdit* path(const QString& key, FieldAccess<std::string> access, bool folder, const QString& filter,
                   QWidget* parent);
    QLineEdit* integerList(const QString& key, FieldAccess<std::vector<std::int64_t>> access, QWidget* parent);

    void load(const RunConfig& config);
    void store(RunConfig& config, std::vector<FieldProblem>& problems) const;

    const std::vector<FieldBinding>& all() const { return m_bindings; }
    // The binding a problem's field belongs to: exact key, or key[i] for list elements.
    const FieldBinding* find(const std::string& field) const;
    QWidget* widget(const QString& key) const;

private:
    void add(FieldBinding binding);
    void changed() const;

    std::function<void()> m_onChange;
    std::vector<FieldBinding> m_bindings;
    bool m_loading = false;
};

// Locale-independent number text as the JSON files write it ("0.07", "5e-05").
QString formatNumber(double value);

}  // namespace scns
