import java.awt.Button;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dialog;
import java.awt.Label;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.File;

import javax.imageio.ImageIO;

import org.explainj.ij.CommandBridge;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;

/**
 * Makes the README pictures docs/dialog-help.png (the Integrated Gradients dialog, the mouse on its Steps
 * field, whose help shows at the foot) and docs/dialog-help-page.png (its Help button's page) from the
 * real ImageJ under Xvfb. Run from the repository root after `mvn -B -DskipTests package`:
 *
 *   xvfb-run -a -s "-screen 0 1280x1024x24" java -cp "target/classes:target/lib/*" tools/DialogPicture.java
 */
public class DialogPicture {

	public static void main(String[] args) throws Exception {
		new ImageJ();
		ImagePlus cell = IJ.openImage("test-images/images/malaria/" +
			"Parasitized__C39P4thinF_original_IMG_20150622_110900_cell_16.png");
		cell.show();
		Thread dialog = new Thread(() -> new CommandBridge().run("method=integrated-gradients"));
		dialog.start();
		Dialog gd = waitFor("ExplainJ Integrated Gradients");
		Robot robot = new Robot();
		TextField steps = fieldAfter(gd, "Steps");
		Point at = steps.getLocationOnScreen();
		robot.mouseMove(at.x + steps.getWidth() / 2, at.y + steps.getHeight() / 2);
		Thread.sleep(800);
		capture(robot, gd, "docs/dialog-help.png");
		Button help = button(gd, "Help");
		// the help page may be modal: opened on the event thread, so that this one goes on to picture it
		java.awt.EventQueue.invokeLater(() -> help.dispatchEvent(new ActionEvent(help, ActionEvent.ACTION_PERFORMED, help
			.getLabel())));
		Window page = newWindow(gd);
		Thread.sleep(800);
		capture(robot, page, "docs/dialog-help-page.png");
		System.exit(0);
	}

	private static Dialog waitFor(String title, Window... not) throws InterruptedException {
		for (int i = 0; i < 300; i++) {
			for (Window w : Window.getWindows()) {
				if (w instanceof Dialog d && d.isShowing() && title.equals(d.getTitle()) && (not.length == 0 || d != not[0]))
					return d;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no window " + title);
	}

	/** The help page: a window shown besides the dialog and ImageJ's own windows. */
	private static Window newWindow(Dialog gd) throws InterruptedException {
		for (int i = 0; i < 300; i++) {
			for (Window w : Window.getWindows()) {
				if (w.isShowing() && w != gd && w instanceof Dialog) return w;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no help window");
	}

	private static TextField fieldAfter(Container c, String label) {
		Component[] parts = c.getComponents();
		for (int i = 0; i + 1 < parts.length; i++) {
			if (parts[i] instanceof Label l && l.getText().trim().equals(label) && parts[i + 1] instanceof TextField t) return t;
		}
		throw new IllegalStateException("no field " + label);
	}

	private static Button button(Container c, String label) {
		for (Component part : c.getComponents()) {
			if (part instanceof Button b && b.getLabel().equals(label)) return b;
			if (part instanceof Container inner) {
				try {
					return button(inner, label);
				}
				catch (IllegalStateException e) {
					// not in this part
				}
			}
		}
		throw new IllegalStateException("no button " + label);
	}

	private static void capture(Robot robot, Window w, String file) throws Exception {
		Rectangle r = new Rectangle(w.getLocationOnScreen(), w.getSize());
		ImageIO.write(robot.createScreenCapture(r), "png", new File(file));
	}
}
