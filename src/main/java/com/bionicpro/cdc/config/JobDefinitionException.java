package com.bionicpro.cdc.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The job definition or the services it names are not usable; one line per problem. */
public class JobDefinitionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public JobDefinitionException(List<String> problems) {
        super(format(problems));
        this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder sb = new StringBuilder("the job cannot start (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
