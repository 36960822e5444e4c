#pragma once
// Two-way bindings between the settings of a RunConfig and input widgets, each made from the
// setting's entry in the settings table (train/run_settings.h): the widget from its type, its
// value through the setting's JSON get/set, so the editor reads and writes a field exactly as a
// configuration file does. Each binding is named by the setting's dotted key, as ConfigError
// names problems ("contrastive.class.k").
#include <QString>
#include <QStringList>

#include <functional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "train/run_config.h"
#include "train/run_settings.h"

class QWidget;

namespace scns {

struct FieldBinding {
    QString key;
    const Setting* setting = nullptr;
    QWidget* widget = nullptr;
    std::function<void(const RunConfig&)> load;  // config -> widget
    // widget -> config; text that does not parse adds a problem instead
    std::function<void(RunConfig&, std::vector<FieldProblem>&)> store;
};

class FieldBindings {
public:
    // onChange: called with the setting's key after any user edit (not during load()).
    explicit FieldBindings(std::function<void(const std::string& key)> onChange) : m_onChange(std::move(onChange)) {}

    // The input for `setting`: a check box (Bool), spin box (Integer), line edit (numbers,
    // text, lists; empty = unset for optionals, the placeholder says what applies), combo box
    // (Choice, Network, OptionalBool) or path field (File, Folder). `suggestions` turns a text
    // setting into an editable combo box offering them (the devices this machine has).
    QWidget* bind(const Setting& setting, QWidget* parent, const QStringList& suggestions = {});

    void load(const RunConfig& config);
    // Only the input of `key` (a section switch set by another edit); the others keep their text.
    void load(const std::string& key, const RunConfig& config);
    void store(RunConfig& config, std::vector<FieldProblem>& problems) const;

    const std::vector<FieldBinding>& all() const { return m_bindings; }
    // The binding a problem's field belongs to: exact key, or key[i] for list elements.
    const FieldBinding* find(const std::string& field) const;
    QWidget* widget(const QString& key) const;

private:
    void changed(const std::string& key) const;

    std::function<void(const std::string&)> m_onChange;
    std::vector<FieldBinding> m_bindings;
    bool m_loading = false;
};

// Locale-independent number text as the JSON files write it ("0.07", "5e-05").
QString formatNumber(double value);

}  // namespace scns
