package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Kind;
import org.explainj.methods.Methods;
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

/**
 * The ImageJ 1.x menu entry for any ExplainJ command (plugins.config passes "method=NAME" for
 * {@link ExplainCommand} with that method, else the command's class name):
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

	private void run(String argument, ImagePlus image) {
		Context context = context();
		// a method's entry runs the explain command with that method; the others name their command's class
		String method = argument.startsWith(MenuEntries.METHOD) ? argument.substring(MenuEntries.METHOD.length()) : null;
		String commandClass = method != null ? ExplainCommand.class.getName() : argument;
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
		String title = "ExplainJ " + info.getTitle().replaceFirst("^ExplainJ ", "");
		AttributionMethod m = method == null ? null : Methods.byName(method);
		if (m != null) {
			module.setInput("method", m.name());
			module.resolveInput("method");
			title = "ExplainJ " + m.title();
		}
		List<ModuleItem<?>> fields = dialogItems(module);
		// explanations need the current image; prototypes (activation maximisation) make their own
		boolean takesImage = info.getInput("image") != null;
		if (takesImage && image == null) throw new ExplainException("There is no image to explain.",
			"Open an image first (open(...) in a macro).");
		if (!fields.isEmpty()) {
			// without ImageJ's window (-batch, headless) a dialog could never be answered: only macro options can
			if (!interactive() && Macro.getOptions() == null) throw new ExplainException(title + " was called without " +
				"options in a batch run, where no dialog can be shown.", "Give its options as the macro recorder writes " +
					"them, e.g. run(\"Saliency...\", \"model=[/models/m.pb] target=top\").");
			GenericDialog gd = new GenericDialog(title);
			String prefix = prefsPrefix(method != null ? method : commandClass);
			if (m != null) gd.addMessage(m.title() + ": " + m.description());
			FieldHelp help = new FieldHelp();
			for (ModuleItem<?> item : fields) {
				addField(gd, item, module, prefix);
				help.attach(gd, item.getDescription());
			}
			help.addLine(gd);
			gd.addHelp(helpPage(title, fields));
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

	/**
	 * The parameters a user sets, in the order the command declares them: every input of a kind a dialog
	 * field holds (not the image, services or the context) that is not set already (the method's name).
	 * Their labels' first words are the macro keys.
	 */
	static List<ModuleItem<?>> dialogItems(Module module) {
		List<ModuleItem<?>> items = new ArrayList<>();
		for (ModuleItem<?> item : module.getInfo().inputs()) {
			if (module.isInputResolved(item.getName())) continue;
			Class<?> type = item.getType();
			if (type.isPrimitive() || type == String.class || type == File.class || Number.class.isAssignableFrom(type) ||
				type == Boolean.class) items.add(item);
		}
		return items;
	}

	/**
	 * Trusting a model that the audit refuses is a decision about one model: the dialog never remembers it,
	 * so the next model is not trusted by a tick left from an earlier one.
	 */
	private static final String NOT_REMEMBERED = "trust";

	/**
	 * Where one command keeps its last values: each command (each method) its own, so that Evaluate's 20
	 * steps do not become Integrated Gradients' default, nor IG's 50 those of Prototypes.
	 */
	static String prefsPrefix(String command) {
		return PREFS + command.substring(command.lastIndexOf('.') + 1) + ".";
	}

	private static Kind kind(ModuleItem<?> item) {
		return Kind.of(item.getType(), item.getChoices() != null && !item.getChoices().isEmpty());
	}

	private static void addField(GenericDialog gd, ModuleItem<?> item, Module module, String prefix) {
		String key = prefix + item.getName();
		Kind kind = kind(item);
		String initial = kind.format(item.getValue(module));
		switch (kind) {
			case FLAG -> gd.addCheckbox(item.getLabel(), item.getName().equals(NOT_REMEMBERED) ? Boolean.parseBoolean(
				initial) : Prefs.get(key, Boolean.parseBoolean(initial)));
			case CHOICE -> {
				String[] choices = item.getChoices().stream().map(Object::toString).toArray(String[]::new);
				String last = Prefs.get(key, initial);
				gd.addChoice(item.getLabel(), choices, List.of(choices).contains(last) ? last : choices[0]);
			}
			case FILE -> gd.addFileField(item.getLabel(), Prefs.get(key, initial), 40);
			// numbers are text too, read by the kind's one parser (GenericDialog's own number error hangs -batch)
			case WHOLE, NUMBER -> gd.addStringField(item.getLabel(), Prefs.get(key, initial), 10);
			case TEXT -> gd.addStringField(item.getLabel(), Prefs.get(key, initial), 20);
		}
	}

	@SuppressWarnings("unchecked")
	private static void readField(GenericDialog gd, ModuleItem<?> item, Module module, String prefix) {
		String key = prefix + item.getName();
		Kind kind = kind(item);
		Object value;
		switch (kind) {
			case FLAG -> {
				boolean b = gd.getNextBoolean();
				value = b;
				if (!item.getName().equals(NOT_REMEMBERED)) Prefs.set(key, b);
			}
			case CHOICE -> {
				value = gd.getNextChoice();
				Prefs.set(key, (String) value);
			}
			default -> {
				String text = gd.getNextString().trim();
				String macroKey = Macro.trimKey(item.getLabel());
				value = kind.parse(macroKey, macroKey + "=" + kind.format(item.getDefaultValue()), text);
				Prefs.set(key, text);
			}
		}
		((ModuleItem<Object>) item).setValue(module, value);
		module.resolveInput(item.getName());
	}

	/** The Help button's page: the command's fields with their macro keys and help, from the same items. */
	static String helpPage(String title, List<ModuleItem<?>> fields) {
		StringBuilder html = new StringBuilder("<html><h2>" + title + "</h2><table>");
		for (ModuleItem<?> item : fields) {
			html.append("<tr><td><b>").append(item.getLabel()).append("</b> (").append(Macro.trimKey(item.getLabel()))
				.append("=)</td><td>").append(item.getDescription() == null ? "" : item.getDescription().replace("<", "&lt;"))
				.append("</td></tr>");
		}
		return html.append("</table><p>All methods and their parameters: docs/METHODS.md and the README of ExplainJ.")
			.append("</p></html>").toString();
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
