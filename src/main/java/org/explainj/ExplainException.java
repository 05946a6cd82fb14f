package org.explainj;

/**
 * A problem the user can fix: the message names what is wrong and what to do about it. Front ends show
 * it as one line (dialog, log, stderr) instead of a stack trace.
 */
public class ExplainException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public ExplainException(String problem, String whatToDo) {
		super(problem + " " + whatToDo);
	}

	public ExplainException(String problem, String whatToDo, Throwable cause) {
		super(problem + " " + whatToDo, cause);
	}
}
