package org.explainj.ij;

import java.awt.Component;
import java.awt.Container;
import java.awt.Label;
import java.awt.event.FocusAdapter;
import java.awt.event.FocusEvent;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.util.ArrayList;
import java.util.List;

import ij.gui.GenericDialog;

/**
 * A help line at the foot of a dialog that shows the help of the field under the mouse or with the
 * focus: AWT fields have no tooltips, and a message under every field would make the dialogs too long.
 */
final class FieldHelp {

	/** Wide enough that most help lines fit; the Help button shows every line whole. */
	private static final String PLACEHOLDER = "Point at a field for its help; Help lists them all." + " ".repeat(60);

	private final List<Runnable> pending = new ArrayList<>();
	private Label line;

	/** Shows {@code help} on the line while the field added last (and its parts) has the mouse or the focus. */
	void attach(GenericDialog gd, String help) {
		if (help == null || gd.getComponentCount() == 0) return;
		Component field = gd.getComponent(gd.getComponentCount() - 1);
		pending.add(() -> listen(field, help));
	}

	/** Adds the line below the fields. */
	void addLine(GenericDialog gd) {
		gd.addMessage(PLACEHOLDER);
		if (gd.getMessage() instanceof Label label) {
			line = label;
			pending.forEach(Runnable::run);
		}
	}

	private void listen(Component c, String help) {
		c.addMouseListener(new MouseAdapter() {
			@Override
			public void mouseEntered(MouseEvent e) {
				line.setText(help);
			}
		});
		c.addFocusListener(new FocusAdapter() {
			@Override
			public void focusGained(FocusEvent e) {
				line.setText(help);
			}
		});
		if (c instanceof Container parts) for (Component part : parts.getComponents()) listen(part, help);
	}
}
