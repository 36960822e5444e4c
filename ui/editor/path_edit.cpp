#include "editor/path_edit.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QToolButton>

namespace scns {

PathEdit::PathEdit(Mode mode, QString filter, QWidget* parent)
    : QWidget(parent), m_mode(mode), m_filter(std::move(filter)), m_edit(new QLineEdit(this))
{
    auto* button = new QToolButton(this);
    button->setText(QStringLiteral("…"));
    button->setToolTip(mode == Mode::Folder ? tr("Choose a folder") : tr("Choose a file"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_edit, 1);
    layout->addWidget(button);
    setFocusProxy(m_edit);
    connect(button, &QToolButton::clicked, this, &PathEdit::browse);
    connect(m_edit, &QLineEdit::textChanged, this, &PathEdit::textChanged);
}

void PathEdit::browse()
{
    const QString start = m_edit->text().isEmpty() ? QString() : QFileInfo(m_edit->text()).absolutePath();
    const QString chosen = m_mode == Mode::Folder
                               ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"),
                                                                   m_edit->text().isEmpty() ? start : m_edit->text())
                               : QFileDialog::getOpenFileName(this, tr("Choose a file"), start, m_filter);
    if (!chosen.isEmpty())
        m_edit->setText(chosen);
}

}  // namespace scns
