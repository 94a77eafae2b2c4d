// Reads a GEXF file with Gephi's own importer (the Gephi toolkit) and prints, as JSON lines, every issue
// the importer reports, then each node and edge Gephi made of the file with its attributes. Run as a
// single-file source program: java -cp CLASSPATH GexfCheck.java FILE (tests/test_interop.py).
import java.io.File;
import java.util.Iterator;
import org.gephi.graph.api.Column;
import org.gephi.graph.api.Edge;
import org.gephi.graph.api.GraphController;
import org.gephi.graph.api.GraphModel;
import org.gephi.graph.api.Node;
import org.gephi.io.importer.api.Container;
import org.gephi.io.importer.api.EdgeMergeStrategy;
import org.gephi.io.importer.api.ImportController;
import org.gephi.io.importer.api.Issue;
import org.gephi.io.processor.plugin.DefaultProcessor;
import org.gephi.project.api.ProjectController;
import org.gephi.project.api.Workspace;
import org.openide.util.Lookup;

public class GexfCheck {
    static String q(Object value) {
        if (value == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String attributes(org.gephi.graph.api.Element e, Iterable<Column> columns) {
        StringBuilder b = new StringBuilder("{");
        for (Column col : columns) {
            if (col.isProperty()) continue;  // id, label, weight, …: printed on their own
            Object v = e.getAttribute(col);
            if (v == null) continue;
            if (b.length() > 1) b.append(',');
            b.append(q(col.getTitle())).append(':').append(q(v));
        }
        return b.append('}').toString();
    }

    public static void main(String[] args) throws Exception {
        ProjectController pc = Lookup.getDefault().lookup(ProjectController.class);
        pc.newProject();
        Workspace ws = pc.getCurrentWorkspace();
        ImportController ic = Lookup.getDefault().lookup(ImportController.class);
        Container container = ic.importFile(new File(args[0]));
        if (container == null) {
            System.out.println("{\"issue\":\"CRITICAL\",\"message\":\"no importer accepted the file\"}");
            System.exit(2);
        }
        // as a Gephi user chooses in the import dialog: parallel edges are kept, never merged into one
        container.getLoader().setAllowParallelEdge(true);
        container.getLoader().setEdgesMergeStrategy(EdgeMergeStrategy.NO_MERGE);
        Iterator<Issue> issues = container.getReport().getIssues(100000);
        while (issues.hasNext()) {
            Issue issue = issues.next();
            System.out.println("{\"issue\":" + q(issue.getLevel()) + ",\"message\":" + q(issue.getMessage()) + "}");
        }
        ic.process(container, new DefaultProcessor(), ws);
        GraphModel model = Lookup.getDefault().lookup(GraphController.class).getGraphModel(ws);
        for (Node n : model.getGraph().getNodes()) {
            System.out.println("{\"node\":" + q(n.getId()) + ",\"label\":" + q(n.getLabel()) + ",\"attributes\":"
                    + attributes(n, model.getNodeTable()) + "}");
        }
        for (Edge e : model.getGraph().getEdges()) {
            System.out.println("{\"edge\":" + q(e.getId()) + ",\"source\":" + q(e.getSource().getId()) + ",\"target\":"
                    + q(e.getTarget().getId()) + ",\"directed\":" + e.isDirected() + ",\"label\":" + q(e.getLabel())
                    + ",\"attributes\":" + attributes(e, model.getEdgeTable()) + "}");
        }
        System.exit(0);
    }
}
