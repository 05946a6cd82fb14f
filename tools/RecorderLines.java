import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Executer;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import ij.process.ColorProcessor;

/**
 * Prints what ImageJ's own macro recorder (Plugins > Macros > Record...) writes when a user picks
 * Grad-CAM... (geometry tile), Gradient... (geometry roi, two ROI Manager ROIs), and Saliency...,
 * Integrated Gradients... and Grad-CAM... on one cell from the menu, fills their dialogs and presses OK. The README's macro lines and
 * GeometryMacroTest's replayed lines are these. Run from the repository root after
 * `mvn -B -DskipTests package`, with the plugin installed in a plugins folder ($P/ExplainJ_.jar, its
 * jars in $P/jars, as tools/geometry-screenshots.sh does):
 *
 *   xvfb-run -a java -Dplugins.dir=$P -Duser.home=$(mktemp -d) -cp target/lib/ij-1.54p.jar tools/RecorderLines.java
 *
 * (a fresh user.home: ImageJ's preferences, and so the dialogs' remembered values, start empty)
 */
public class RecorderLines {

	static final String MODEL = "test-images/models/nlm-malaria/malaria_thinsmear_44.pb";
	static final String CELLS = "test-images/images/malaria/";

	public static void main(String[] args) throws Exception {
		new ImageJ();
		Recorder recorder = new Recorder();
		// the field of GeometryMacroTest: a parasitized and an uninfected cell on black
		ColorProcessor cp = new ColorProcessor(320, 160);
		cp.insert(IJ.openImage(CELLS + "Parasitized__C39P4thinF_original_IMG_20150622_110900_cell_16.png").getProcessor(),
			10, 10);
		cp.insert(IJ.openImage(CELLS + "Uninfected__C1_thinF_IMG_20150604_104919_cell_224.png").getProcessor(), 180, 20);
		ImagePlus field = new ImagePlus("field", cp);
		field.show();
		run(recorder, "Grad-CAM...", field, Map.of("Model", MODEL, "Target", "infected", "Geometry", "tile", "Window", "140",
			"Window stride", "90", "Map image", "true", "Resolution", "input"));
		RoiManager rois = RoiManager.getRoiManager();
		rois.addRoi(new Roi(10, 10, 115, 139));
		rois.addRoi(new Roi(180, 20, 124, 112));
		run(recorder, "Gradient...", field, Map.of("Model", MODEL, "Target", "top", "Geometry", "roi", "Map image", "true"));
		ImagePlus cell = IJ.openImage(CELLS + "Parasitized__C39P4thinF_original_IMG_20150622_110900_cell_16.png");
		cell.show();
		// the README's Macro section: one cell, geometry auto
		run(recorder, "Saliency...", cell, Map.of("Model", MODEL, "Target", "infected", "Map image", "true"));
		run(recorder, "Integrated Gradients...", cell, Map.of("Model", MODEL, "Target", "top", "Map image", "true"));
		run(recorder, "Grad-CAM...", cell, Map.of("Model", MODEL, "Target", "infected", "Geometry", "auto", "Window", "0",
			"Window stride", "0", "Map image", "true", "Resolution", "layer"));
		System.out.println("----- recorded");
		System.out.println(recorder.getText());
		System.exit(0);
	}

	/** Picks the menu command as a click would (Executer), fills the dialog's fields and presses OK. */
	static void run(Recorder recorder, String command, ImagePlus image, Map<String, String> values) throws Exception {
		int before = recorder.getText().length();
		ij.WindowManager.setTempCurrentImage(null);
		ij.WindowManager.setCurrentWindow(image.getWindow());
		new Executer(command, image);
		GenericDialog gd = dialog();
		EventQueue.invokeAndWait(() -> {
			List<Component> parts = flat(gd, new ArrayList<>());
			values.forEach((label, value) -> set(parts, label, value));
		});
		Button ok = gd.getButtons()[0];
		EventQueue.invokeLater(() -> ok.dispatchEvent(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED, ok.getLabel())));
		for (int i = 0; i < 1200 && !recorder.getText().substring(before).contains("run(\"" + command); i++) Thread.sleep(100);
		if (!recorder.getText().substring(before).contains("run(\"" + command))
			throw new IllegalStateException("nothing recorded for " + command);
		Thread.sleep(1000);
	}

	static GenericDialog dialog() throws InterruptedException {
		for (int i = 0; i < 600; i++) {
			for (Window w : Window.getWindows()) {
				if (w instanceof GenericDialog gd && gd.isShowing() && gd.getTitle().startsWith("ExplainJ")) return gd;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no ExplainJ dialog");
	}

	static List<Component> flat(Container c, List<Component> out) {
		for (Component part : c.getComponents()) {
			out.add(part);
			if (part instanceof Container inner && !(part instanceof Choice)) flat(inner, out);
		}
		return out;
	}

	/** The field after the label (a checkbox is its own label). */
	static void set(List<Component> parts, String label, String value) {
		for (int i = 0; i < parts.size(); i++) {
			Component part = parts.get(i);
			if (part instanceof Checkbox box && box.getLabel().trim().equals(label)) {
				box.setState(Boolean.parseBoolean(value));
				return;
			}
			if (part instanceof Label l && l.getText().trim().equals(label)) {
				for (Component next : parts.subList(i + 1, parts.size())) {
					if (next instanceof TextField t) {
						t.setText(value);
						return;
					}
					if (next instanceof Choice choice) {
						choice.select(value);
						return;
					}
				}
			}
		}
		throw new IllegalStateException("no field " + label);
	}
}
