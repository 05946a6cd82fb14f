package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.Explainer;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import ij.util.Tools;

/**
 * The ImageJ 1.x menu entry for any ExplainJ command (plugins.config passes the command's class name):
 * shows the command's parameters as a GenericDialog, so the macro recorder records a call that
 * replays, then runs the command through the CommandService of Fiji's context when there is one, else
 * of a small context of its own. Works the same in Fiji and in plain ImageJ.
 */
public class CommandBridge implements PlugIn {

	private static final String PREFS = "explainj.";
	private static Context ownContext;

	@Override
	public void run(String commandClass) {
		ImagePlus image = WindowManager.getCurrentImage();
		try {
			run(commandClass, image);
		}
		catch (Explainer.CancellationException e) {
			IJ.showStatus("ExplainJ: cancelled");
		}
		catch (RuntimeException | LinkageError | OutOfMemoryError e) {
			// LinkageError: another TensorFlow or protobuf in Fiji's jars/ shadowing ours
			report(ExplainException.unexpected(e).getMessage());
		}
		finally {
			IJ.showProgress(1.0);
		}
	}

	/**
	 * With ImageJ's window the sentence is a dialog (IJ.error, which also aborts a running macro). Without
	 * it (-batch, headless) nobody could close a dialog and ImageJ would never exit: the sentence goes to
	 * the log and the running macro is stopped, so the batch run ends.
	 */
	static void report(String sentence) {
		if (interactive()) {
			IJ.error("ExplainJ", wrapped(sentence, 100));
			return;
		}
		IJ.log("ExplainJ: " + sentence);
		Interpreter macro = Interpreter.getInstance();
		if (macro != null) {
			// an interpreter that ignores errors ends quietly instead of showing its "Macro Error" dialog
			macro.setIgnoreErrors(true);
			macro.abort(sentence);
		}
	}

	/** The sentence broken into lines of at most about {@code width} characters: ImageJ's dialogs do not wrap. */
	static String wrapped(String sentence, int width) {
		StringBuilder out = new StringBuilder();
		int line = 0;
		for (String word : sentence.split(" ")) {
			if (line > 0 && line + 1 + word.length() > width) {
				out.append('\n');
				line = 0;
			}
			else if (line > 0) {
				out.append(' ');
				line++;
			}
			out.append(word);
			line += word.length();
		}
		return out.toString();
	}

	private void run(String commandClass, ImagePlus image) {
		Context context = context();
		CommandInfo info;
		Module module;
		try {
			info = new CommandInfo(Class.forName(commandClass, true, CommandBridge.class.getClassLoader())
				.asSubclass(Command.class));
			module = context.service(ModuleService.class).createModule(info);
		}
		catch (ClassNotFoundException | RuntimeException e) {
			throw new ExplainException("Cannot create command " + commandClass + ": " + e.getMessage(),
				"Reinstall the ExplainJ jar.", e);
		}
		List<ModuleItem<?>> fields = dialogItems(info);
		// explanations need the current image; prototypes (activation maximisation) make their own
		boolean takesImage = info.getInput("image") != null;
		if (takesImage && image == null) throw new ExplainException("There is no image to explain.",
			"Open an image first (open(...) in a macro).");
		String title = "ExplainJ " + info.getTitle().replaceFirst("^ExplainJ ", "");
		if (!fields.isEmpty()) {
			// without ImageJ's window (-batch, headless) a dialog could never be answered: only macro options can
			if (!interactive() && Macro.getOptions() == null) throw new ExplainException(title + " was called without " +
				"options in a batch run, where no dialog can be shown.", "Give its options as the macro recorder writes " +
					"them, e.g. run(\"Saliency...\", \"model=[/models/m.pb] target=top\").");
			GenericDialog gd = new GenericDialog(title);
			String prefix = prefsPrefix(commandClass);
			for (ModuleItem<?> item : fields) addField(gd, item, module, prefix);
			gd.showDialog();
			if (gd.wasCanceled()) return;
			for (ModuleItem<?> item : fields) readField(gd, item, module, prefix);
		}
		if (takesImage) module.setInput("image", image);
		// run here, on the macro's thread: the bridge fills every input itself and shows the outputs below, and
		// an exception reaches the caller as it is (SciJava's module runner would log it with a stack trace)
		module.run();
		if (takesImage) image.updateAndDraw();
		for (ModuleItem<?> out : info.outputs()) {
			if (out.getValue(module) instanceof ImagePlus result) result.show();
		}
	}

	/** True when ImageJ's window is there to show dialogs (not -batch, not headless). */
	private static boolean interactive() {
		return IJ.getInstance() != null && !GraphicsEnvironment.isHeadless();
	}

	/** The parameters a user sets: everything but the image and the outputs. */
	private static List<ModuleItem<?>> dialogItems(CommandInfo info) {
		List<ModuleItem<?>> items = new ArrayList<>();
		for (ModuleItem<?> item : info.inputs()) {
			if (ImagePlus.class.isAssignableFrom(item.getType())) continue;
			if (org.scijava.service.Service.class.isAssignableFrom(item.getType())) continue;
			items.add(item);
		}
		return items;
	}

	/**
	 * Trusting a model that the audit refuses is a decision about one model: the dialog never remembers it,
	 * so the next model is not trusted by a tick left from an earlier one.
	 */
	private static final String NOT_REMEMBERED = "trust";

	/**
	 * Where one command keeps its last values: each command its own, so that Evaluate's 20 steps do not
	 * become Integrated Gradients' default, nor IG's 50 those of Prototypes.
	 */
	static String prefsPrefix(String commandClass) {
		return PREFS + commandClass.substring(commandClass.lastIndexOf('.') + 1) + ".";
	}

	private static void addField(GenericDialog gd, ModuleItem<?> item, Module module, String prefix) {
		String key = prefix + item.getName();
		Object initial = item.getValue(module);
		Class<?> type = item.getType();
		if (type == File.class) {
			gd.addFileField(item.getLabel(), Prefs.get(key, initial == null ? "" : initial.toString()), 40);
		}
		else if (type == boolean.class || type == Boolean.class) {
			boolean checked = Boolean.TRUE.equals(initial);
			gd.addCheckbox(item.getLabel(), item.getName().equals(NOT_REMEMBERED) ? checked : Prefs.get(key, checked));
		}
		else if (Number.class.isAssignableFrom(box(type))) {
			boolean integral = type == int.class || type == long.class;
			double value = Prefs.get(key, ((Number) initial).doubleValue());
			// enough decimals that small weights (epsilon 0.001, tv 0.002) do not show as 0.00
			int digits = integral ? 0 : value == Math.rint(value) ? 1 : Math.abs(value) < 0.1 ? 5 : 3;
			gd.addNumericField(item.getLabel(), value, digits);
		}
		else if (hasChoices(item)) {
			String[] choices = item.getChoices().stream().map(Object::toString).toArray(String[]::new);
			String last = Prefs.get(key, String.valueOf(initial));
			gd.addChoice(item.getLabel(), choices, List.of(choices).contains(last) ? last : choices[0]);
		}
		else {
			gd.addStringField(item.getLabel(), Prefs.get(key, initial == null ? "" : initial.toString()), 20);
		}
	}

	@SuppressWarnings("unchecked")
	private static void readField(GenericDialog gd, ModuleItem<?> item, Module module, String prefix) {
		String key = prefix + item.getName();
		Class<?> type = item.getType();
		Object value;
		if (type == File.class) {
			String s = gd.getNextString().trim();
			value = s.isEmpty() ? null : new File(s);
			Prefs.set(key, s);
		}
		else if (type == boolean.class || type == Boolean.class) {
			boolean b = gd.getNextBoolean();
			value = b;
			if (!item.getName().equals(NOT_REMEMBERED)) Prefs.set(key, b);
		}
		else if (Number.class.isAssignableFrom(box(type))) {
			// GenericDialog answers a word where a macro gives a number with a modal error, which hangs -batch
			String options = Macro.getOptions();
			String given = options == null ? null : Macro.getValue(options, item.getLabel(), null);
			if (given != null && Double.isNaN(Tools.parseDouble(given))) throw new ExplainException("'" + item.getLabel() +
				"' must be a number, not '" + given + "'.", "Give a number, e.g. " + Macro.trimKey(item.getLabel()) + "=" +
					item.getDefaultValue() + ".");
			double d = gd.getNextNumber();
			if (Double.isNaN(d)) throw new ExplainException("'" + item.getLabel() + "' is not a number.",
				"Enter a number.");
			value = type == int.class || type == Integer.class ? (Object) (int) Math.round(d) : (Object) d;
			Prefs.set(key, d);
		}
		else if (hasChoices(item)) {
			value = gd.getNextChoice();
			Prefs.set(key, (String) value);
		}
		else {
			value = gd.getNextString().trim();
			Prefs.set(key, (String) value);
		}
		((ModuleItem<Object>) item).setValue(module, value);
		module.resolveInput(item.getName());
	}

	private static boolean hasChoices(ModuleItem<?> item) {
		return item.getChoices() != null && !item.getChoices().isEmpty();
	}

	private static Class<?> box(Class<?> type) {
		if (type == int.class) return Integer.class;
		if (type == double.class) return Double.class;
		if (type == float.class) return Float.class;
		if (type == long.class) return Long.class;
		return type;
	}

	/**
	 * Fiji's own context (imagej-legacy answers IJ.runPlugIn("org.scijava.Context") with it), otherwise
	 * one created once, with this plugin's class loader so that it sees the ExplainJ jar.
	 */
	static synchronized Context context() {
		if (isFiji()) {
			Object fiji = IJ.runPlugIn("org.scijava.Context", "");
			if (fiji instanceof Context c) return c;
		}
		if (ownContext == null) {
			Thread thread = Thread.currentThread();
			ClassLoader previous = thread.getContextClassLoader();
			thread.setContextClassLoader(CommandBridge.class.getClassLoader());
			try {
				ownContext = new Context(CommandService.class, ModuleService.class);
			}
			finally {
				thread.setContextClassLoader(previous);
			}
		}
		return ownContext;
	}

	private static boolean isFiji() {
		try {
			Class.forName("net.imagej.legacy.LegacyService", false, IJ.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException e) {
			return false;
		}
	}
}
