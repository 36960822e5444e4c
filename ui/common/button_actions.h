#pragma once
// Context menus that mirror a panel's buttons: one action per button, triggering its click and
// following its enabled state, so the menu and the buttons never disagree.
#include <QAbstractButton>
#include <QAction>
#include <QEvent>
#include <QWidget>

#include <initializer_list>

namespace scns {

inline void mirrorButtonsAsContextMenu(QWidget* target, std::initializer_list<QAbstractButton*> buttons)
{
    target->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAbstractButton* b : buttons) {
        if (!b) {
            auto* separator = new QAction(target);
            separator->setSeparator(true);
            target->addAction(separator);
            continue;
        }
        auto* a = new QAction(b->text(), target);
        a->setToolTip(b->toolTip());
        a->setEnabled(b->isEnabled());
        QObject::connect(a, &QAction::triggered, b, &QAbstractButton::click);
        // QEvent::EnabledChange reaches the button's event filter; a filter object keeps it simple.
        struct Follower : QObject {
            QAction* action;
            Follower(QAbstractButton* button, QAction* a) : QObject(button), action(a) {}
            bool eventFilter(QObject* watched, QEvent* e) override
            {
                if (e->type() == QEvent::EnabledChange)
                    action->setEnabled(static_cast<QWidget*>(watched)->isEnabled());
                return false;
            }
        };
        b->installEventFilter(new Follower(b, a));
        target->addAction(a);
    }
}

}  // namespace scns
