#include "editor/field_bindings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>

#include <limits>

#include "editor/path_edit.h"

namespace scns {

namespace {

std::string trimmedText(const QString& s) { return s.trimmed().toStdString(); }

std::optional<double> parseReal(const QString& s)
{
    bool ok = false;
    const double v = QLocale::c().toDouble(s.trimmed(), &ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

}  // namespace

QString formatNumber(double value) { return QString::number(value, 'g', 12); }

void FieldBindings::add(FieldBinding binding) { m_bindings.push_back(std::move(binding)); }

void FieldBindings::changed() const
{
    if (!m_loading && m_onChange)
        m_onChange();
}

QSpinBox* FieldBindings::integer(const QString& key, FieldAccess<std::int64_t> access, QWidget* parent)
{
    auto* w = new QSpinBox(parent);
    // Wide on purpose: out-of-range values are for validate() to explain, not to be clamped.
    w->setRange(-999999999, 999999999);
    w->setMinimumWidth(90);
    w->setMaximumWidth(140);
    QObject::connect(w, &QSpinBox::valueChanged, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setValue(static_cast<int>(access(c))); },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) { access(c) = w->value(); }});
    return w;
}

QLineEdit* FieldBindings::seed(const QString& key, FieldAccess<std::uint64_t> access, QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setMaximumWidth(140);
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(QString::number(access(c))); },
         [w, access, key](RunConfig& c, std::vector<FieldProblem>& p) {
             bool ok = false;
             const qulonglong v = w->text().trimmed().toULongLong(&ok);
             if (ok)
                 access(c) = v;
             else
                 p.push_back({key.toStdString(), trimmedText(w->text()), "a non-negative integer"});
         }});
    return w;
}

QLineEdit* FieldBindings::real(const QString& key, FieldAccess<double> access, QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setMaximumWidth(140);
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(formatNumber(access(c))); },
         [w, access, key](RunConfig& c, std::vector<FieldProblem>& p) {
             if (const auto v = parseReal(w->text()))
                 access(c) = *v;
             else
                 p.push_back({key.toStdString(), trimmedText(w->text()), "a number"});
         }});
    return w;
}

QLineEdit* FieldBindings::optionalReal(const QString& key, FieldAccess<std::optional<double>> access,
                                       const QString& placeholder, QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setMaximumWidth(140);
    w->setPlaceholderText(placeholder);
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(access(c) ? formatNumber(*access(c)) : QString()); },
         [w, access, key](RunConfig& c, std::vector<FieldProblem>& p) {
             if (w->text().trimmed().isEmpty()) {
                 access(c).reset();
                 return;
             }
             if (const auto v = parseReal(w->text()))
                 access(c) = *v;
             else
                 p.push_back({key.toStdString(), trimmedText(w->text()), "a number, or empty for the default"});
         }});
    return w;
}

QLineEdit* FieldBindings::optionalInteger(const QString& key, FieldAccess<std::optional<std::int64_t>> access,
                                          const QString& placeholder, QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setMaximumWidth(140);
    w->setPlaceholderText(placeholder);
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(access(c) ? QString::number(*access(c)) : QString()); },
         [w, access, key](RunConfig& c, std::vector<FieldProblem>& p) {
             if (w->text().trimmed().isEmpty()) {
                 access(c).reset();
                 return;
             }
             bool ok = false;
             const qlonglong v = w->text().trimmed().toLongLong(&ok);
             if (ok)
                 access(c) = v;
             else
                 p.push_back({key.toStdString(), trimmedText(w->text()), "an integer, or empty for the default"});
         }});
    return w;
}

QComboBox* FieldBindings::optionalBool(const QString& key, FieldAccess<std::optional<bool>> access,
                                       const QString& defaultText, QWidget* parent)
{
    auto* w = new QComboBox(parent);
    // Long choices must not widen the form beyond the window; the popup shows them whole.
    w->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    w->setMinimumContentsLength(10);
    w->addItem(defaultText);
    w->addItem(QObject::tr("yes"));
    w->addItem(QObject::tr("no"));
    QObject::connect(w, &QComboBox::currentIndexChanged, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setCurrentIndex(!access(c) ? 0 : (*access(c) ? 1 : 2)); },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) {
             const int i = w->currentIndex();
             access(c) = i == 0 ? std::optional<bool>() : std::optional<bool>(i == 1);
         }});
    return w;
}

QCheckBox* FieldBindings::boolean(const QString& key, FieldAccess<bool> access, const QString& label, QWidget* parent)
{
    auto* w = new QCheckBox(label, parent);
    QObject::connect(w, &QCheckBox::toggled, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setChecked(access(c)); },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) { access(c) = w->isChecked(); }});
    return w;
}

QComboBox* FieldBindings::choice(const QString& key, FieldAccess<std::string> access, const QStringList& choices,
                                 bool editable, QWidget* parent)
{
    auto* w = new QComboBox(parent);
    w->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    w->setMinimumContentsLength(10);
    w->addItems(choices);
    w->setEditable(editable);
    QObject::connect(w, &QComboBox::currentTextChanged, w, [this] { changed(); });
    // load selects the value, adding it when it is not a known choice (a config from a newer
    // program); validation then explains it.
    add({key, w,
         [w, access](RunConfig& c) {
             const QString v = QString::fromStdString(access(c));
             int i = w->findText(v);
             if (i < 0) {
                 w->addItem(v);
                 i = w->count() - 1;
             }
             w->setCurrentIndex(i);
             if (w->isEditable())
                 w->setEditText(v);
         },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) { access(c) = trimmedText(w->currentText()); }});
    return w;
}

QLineEdit* FieldBindings::text(const QString& key, FieldAccess<std::string> access, QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(QString::fromStdString(access(c))); },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) { access(c) = scns::trimmedText(w->text()); }});
    return w;
}

PathEdit* FieldBindings::path(const QString& key, FieldAccess<std::string> access, bool folder, const QString& filter,
                              QWidget* parent)
{
    auto* w = new PathEdit(folder ? PathEdit::Mode::Folder : PathEdit::Mode::OpenFile, filter, parent);
    QObject::connect(w, &PathEdit::textChanged, w, [this] { changed(); });
    add({key, w, [w, access](RunConfig& c) { w->setText(QString::fromStdString(access(c))); },
         [w, access](RunConfig& c, std::vector<FieldProblem>&) { access(c) = scns::trimmedText(w->text()); }});
    return w;
}

QLineEdit* FieldBindings::integerList(const QString& key, FieldAccess<std::vector<std::int64_t>> access,
                                      QWidget* parent)
{
    auto* w = new QLineEdit(parent);
    w->setPlaceholderText(QObject::tr("e.g. 30, 60, 90"));
    QObject::connect(w, &QLineEdit::textEdited, w, [this] { changed(); });
    add({key, w,
         [w, access](RunConfig& c) {
             QStringList parts;
             for (auto v : access(c))
                 parts << QString::number(v);
             w->setText(parts.join(QStringLiteral(", ")));
         },
         [w, access, key](RunConfig& c, std::vector<FieldProblem>& p) {
             std::vector<std::int64_t> out;
             for (const QString& part : w->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                 bool ok = false;
                 const qlonglong v = part.trimmed().toLongLong(&ok);
                 if (!ok) {
                     p.push_back({key.toStdString(), trimmedText(w->text()), "integers separated by commas"});
                     return;
                 }
                 out.push_back(v);
             }
             access(c) = std::move(out);
         }});
    return w;
}

void FieldBindings::load(const RunConfig& config)
{
    RunConfig scratch = config;
    m_loading = true;
    for (const auto& b : m_bindings)
        b.load(scratch);
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
