#include "editor/field_bindings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QWidget>

#include <nlohmann/json.hpp>

#include "editor/path_edit.h"

namespace scns {

using nlohmann::json;

namespace {

std::string trimmedText(const QString& s) { return s.trimmed().toStdString(); }

// A placeholder says what an empty field means: the field is wide enough to show it whole.
void showPlaceholderWhole(QLineEdit* line, const QString& text)
{
    line->setPlaceholderText(text);
    line->setMinimumWidth(line->fontMetrics().horizontalAdvance(text) + 16);
}

std::optional<double> parseReal(const QString& s)
{
    bool ok = false;
    const double v = QLocale::c().toDouble(s.trimmed(), &ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

QString textOf(const json& v)
{
    if (v.is_null())
        return {};
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_number_float())
        return formatNumber(v.get<double>());
    if (v.is_number_unsigned())
        return QString::number(v.get<std::uint64_t>());
    if (v.is_number_integer())
        return QString::number(v.get<std::int64_t>());
    return QString::fromStdString(v.dump());
}

QComboBox* comboBox(QWidget* parent)
{
    auto* w = new QComboBox(parent);
    // Long choices must not widen the form beyond the window; the popup shows them whole.
    w->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    w->setMinimumContentsLength(10);
    return w;
}

QLineEdit* shortLineEdit(QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setMaximumWidth(140);
    return w;
}

QString fileFilter(const Setting& s)
{
    if (s.key.ends_with("weights"))
        return QObject::tr("Weights (*.pt *.pth *.ckpt);;All files (*)");
    if (s.key.ends_with("similarity_file"))
        return QObject::tr("Similarity (*.csv *.txt *.vec);;All files (*)");
    return QObject::tr("All files (*)");
}

}  // namespace

QString formatNumber(double value) { return QString::number(value, 'g', 12); }

void FieldBindings::changed(const std::string& key) const
{
    if (!m_loading && m_onChange)
        m_onChange(key);
}

QWidget* FieldBindings::bind(const Setting& s, QWidget* parent, const QStringList& suggestions)
{
    FieldBinding b;
    b.key = QString::fromStdString(s.key);
    b.setting = &s;
    const auto onEdit = [this, key = s.key] { changed(key); };
    // What a line edit's text means: JSON for the setting, or a problem naming what was expected.
    using Parse = std::function<std::optional<json>(const QString&)>;
    const auto lineEdit = [&](QLineEdit* w, Parse parse, const std::string& expected) {
        QObject::connect(w, &QLineEdit::textEdited, w, onEdit);
        b.widget = w;
        b.load = [w, &s](const RunConfig& c) { w->setText(textOf(s.get(c))); };
        b.store = [w, &s, parse, expected](RunConfig& c, std::vector<FieldProblem>& p) {
            if (const auto v = parse(w->text()))
                s.set(c, *v, p);
            else
                p.push_back({s.key, trimmedText(w->text()), expected});
        };
    };
    const bool optional = s.type == SettingType::OptionalInteger || s.type == SettingType::OptionalReal;
    const auto orUnset = [optional](Parse parse) -> Parse {
        if (!optional)
            return parse;
        return [parse](const QString& t) { return t.trimmed().isEmpty() ? std::optional<json>(json(nullptr)) : parse(t); };
    };
    const std::string unsetWords = optional ? ", or empty for the default" : "";

    switch (s.type) {
    case SettingType::Bool: {
        auto* w = new QCheckBox(QString::fromStdString(s.label), parent);
        QObject::connect(w, &QCheckBox::toggled, w, onEdit);
        b.widget = w;
        b.load = [w, &s](const RunConfig& c) { w->setChecked(s.get(c).get<bool>()); };
        b.store = [w, &s](RunConfig& c, std::vector<FieldProblem>& p) { s.set(c, json(w->isChecked()), p); };
        break;
    }
    case SettingType::Integer: {
        auto* w = new QSpinBox(parent);
        // Wide on purpose: out-of-range values are for validation to explain, not to be clamped.
        w->setRange(-999999999, 999999999);
        w->setMinimumWidth(90);
        w->setMaximumWidth(140);
        QObject::connect(w, &QSpinBox::valueChanged, w, onEdit);
        b.widget = w;
        b.load = [w, &s](const RunConfig& c) { w->setValue(static_cast<int>(s.get(c).get<std::int64_t>())); };
        b.store = [w, &s](RunConfig& c, std::vector<FieldProblem>& p) { s.set(c, json(std::int64_t{w->value()}), p); };
        break;
    }
    case SettingType::Seed:
        lineEdit(shortLineEdit(parent), [](const QString& t) -> std::optional<json> {
            bool ok = false;
            const qulonglong v = t.trimmed().toULongLong(&ok);
            return ok ? std::optional<json>(json(std::uint64_t{v})) : std::nullopt;
        }, "a non-negative integer");
        break;
    case SettingType::Real:
    case SettingType::OptionalReal: {
        auto* w = shortLineEdit(parent);
        lineEdit(w, orUnset([](const QString& t) -> std::optional<json> {
            const auto v = parseReal(t);
            return v ? std::optional<json>(json(*v)) : std::nullopt;
        }), "a number" + unsetWords);
        break;
    }
    case SettingType::OptionalInteger:
        lineEdit(shortLineEdit(parent), orUnset([](const QString& t) -> std::optional<json> {
            bool ok = false;
            const qlonglong v = t.trimmed().toLongLong(&ok);
            return ok ? std::optional<json>(json(std::int64_t{v})) : std::nullopt;
        }), "an integer" + unsetWords);
        break;
    case SettingType::IntegerList: {
        auto* w = new QLineEdit(parent);
        w->setPlaceholderText(QObject::tr("e.g. 30, 60, 90"));
        lineEdit(w, [](const QString& t) -> std::optional<json> {
            json out = json::array();
            for (const QString& part : t.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                bool ok = false;
                const qlonglong v = part.trimmed().toLongLong(&ok);
                if (!ok)
                    return std::nullopt;
                out.push_back(std::int64_t{v});
            }
            return out;
        }, "integers separated by commas");
        // Lists show as "30, 60, 90", not as JSON.
        b.load = [w, &s](const RunConfig& c) {
            QStringList parts;
            for (const auto& v : s.get(c))
                parts << QString::number(v.get<std::int64_t>());
            w->setText(parts.join(QStringLiteral(", ")));
        };
        break;
    }
    case SettingType::OptionalBool: {
        auto* w = comboBox(parent);
        w->addItem(QObject::tr("default (%1)").arg(QString::fromStdString(s.unset)));
        w->addItem(QObject::tr("yes"));
        w->addItem(QObject::tr("no"));
        QObject::connect(w, &QComboBox::currentIndexChanged, w, onEdit);
        b.widget = w;
        b.load = [w, &s](const RunConfig& c) {
            const json v = s.get(c);
            w->setCurrentIndex(v.is_null() ? 0 : (v.get<bool>() ? 1 : 2));
        };
        b.store = [w, &s](RunConfig& c, std::vector<FieldProblem>& p) {
            const int i = w->currentIndex();
            s.set(c, i == 0 ? json(nullptr) : json(i == 1), p);
        };
        break;
    }
    case SettingType::Choice:
    case SettingType::Network:
    case SettingType::Text:
        if (s.type == SettingType::Text && suggestions.isEmpty()) {
            auto* w = new QLineEdit(parent);
            if (!s.unset.empty())
                w->setPlaceholderText(QString::fromStdString(s.unset));
            lineEdit(w, [](const QString& t) { return std::optional<json>(json(trimmedText(t))); }, "text");
        } else {
            auto* w = comboBox(parent);
            QStringList items = suggestions;
            if (items.isEmpty()) {
                for (const auto& c : s.choices)
                    items << QString::fromStdString(c);
                if (!s.unset.empty())
                    items.prepend(QString());
            }
            w->addItems(items);
            w->setEditable(s.type == SettingType::Text);
            QObject::connect(w, &QComboBox::currentTextChanged, w, onEdit);
            b.widget = w;
            // load selects the value, adding it when it is not a known choice (a config from a
            // newer program); validation then explains it.
            b.load = [w, &s](const RunConfig& c) {
                const QString v = textOf(s.get(c));
                int i = w->findText(v);
                if (i < 0) {
                    w->addItem(v);
                    i = w->count() - 1;
                }
                w->setCurrentIndex(i);
                if (w->isEditable())
                    w->setEditText(v);
            };
            b.store = [w, &s](RunConfig& c, std::vector<FieldProblem>& p) { s.set(c, json(trimmedText(w->currentText())), p); };
        }
        break;
    case SettingType::File:
    case SettingType::Folder: {
        auto* w = new PathEdit(s.type == SettingType::Folder ? PathEdit::Mode::Folder : PathEdit::Mode::OpenFile,
                               s.type == SettingType::Folder ? QString() : fileFilter(s), parent);
        if (!s.unset.empty())
            showPlaceholderWhole(w->lineEdit(), QString::fromStdString(s.unset));
        QObject::connect(w, &PathEdit::textChanged, w, onEdit);
        b.widget = w;
        b.load = [w, &s](const RunConfig& c) { w->setText(textOf(s.get(c))); };
        b.store = [w, &s](RunConfig& c, std::vector<FieldProblem>& p) { s.set(c, json(trimmedText(w->text())), p); };
        break;
    }
    }
    if (optional && !s.unset.empty())
        if (auto* w = qobject_cast<QLineEdit*>(b.widget)) {
            // The placeholder says which default applies.
            showPlaceholderWhole(w, QObject::tr("default (%1)").arg(QString::fromStdString(s.unset)));
            w->setMaximumWidth(QWIDGETSIZE_MAX);
        }
    QWidget* widget = b.widget;
    m_bindings.push_back(std::move(b));
    return widget;
}

void FieldBindings::load(const RunConfig& config)
{
    m_loading = true;
    for (const auto& b : m_bindings)
        b.load(config);
    m_loading = false;
}

void FieldBindings::load(const std::string& key, const RunConfig& config)
{
    m_loading = true;
    for (const auto& b : m_bindings)
        if (b.setting->key == key)
            b.load(config);
    m_loading = false;
}

void FieldBindings::store(RunConfig& config, std::vector<FieldProblem>& problems) const
{
    for (const auto& b : m_bindings)
        b.store(config, problems);
}

const FieldBinding* FieldBindings::find(const std::string& field) const
{
    const QString f = QString::fromStdString(field);
    for (const auto& b : m_bindings)
        if (f == b.key || f.startsWith(b.key + QLatin1Char('[')))
            return &b;
    return nullptr;
}

QWidget* FieldBindings::widget(const QString& key) const
{
    for (const auto& b : m_bindings)
        if (b.key == key)
            return b.widget;
    return nullptr;
}

}  // namespace scns
